"""What the mail gateway reads in a mail besides Odoo's own parsing, with no ORM: the name an
opportunity takes from a subject, and whether our own mail server vouched for the sender.

Subjects: reply and forward prefixes (English and French mail programs: ``Re:``, ``RE :``,
``Fwd:``, ``Fw:``, ``TR:``, numbered ``Re[2]:``, ``Re(2):``, ``Re^2:``, any case, any number of
them, spaces or no-break spaces before the colon) and the warning tags that mail servers put in
front of a subject (``[EXTERNAL]``, ``[EXT]``, ``[EXTERNE]``, ``[SPAM]``...) are removed from
its start. Other bracketed text is kept (``[Project X]`` may be the customer's own reference),
and nothing is removed after the first word that is neither: ``Re: TR: Roof`` gives ``Roof``,
``Roof (re: quote)`` stays as it is. ``Réf.``, ``Objet`` and the like are words, not prefixes.

Senders: the From header of a mail is written by whoever sends it. Only a header added by our
own mail server, ``Authentication-Results`` (RFC 8601) with the server's own identifier,
says whether the sending domain vouched for the mail (DMARC, or an aligned DKIM signature or
SPF check). The mail server removes such headers carrying its identifier from incoming mail
(RFC 8601, section 5), so that a sender cannot write its own.
"""
import re

from email.header import decode_header, make_header

_PREFIX = re.compile(r"^(?:re|fwd?|tr)\s*(?:\[\d+\]|\(\d+\)|\^\d+)?\s*[:\uff1a]", re.IGNORECASE)
_TAG = re.compile(r"^\[\s*(?:external|ext|externe|ext[ée]rieur|spam|suspected spam|suspicious|"
                  r"caution|warning)(?:\s*(?:e-?mail|mail|message|sender))?\s*\]",
                  re.IGNORECASE)


def clean_subject(subject):
    """The subject without its leading reply/forward prefixes and warning tags; an empty
    string when nothing else is left."""
    text = (subject or "").strip()
    while True:
        match = _PREFIX.match(text) or _TAG.match(text)
        if not match:
            return text
        text = text[match.end():].strip()


def _domain(address):
    return address.rsplit("@", 1)[-1].strip().strip(">").lower() if "@" in address else ""


def _aligned(domain, from_domain):
    """Relaxed alignment (DMARC): the same domain, or one of them a subdomain of the
    other's."""
    return bool(domain and from_domain) and (
        domain == from_domain or from_domain.endswith("." + domain) or
        domain.endswith("." + from_domain))


def _results(header):
    """(authserv-id, [(method, result, {property: value})]) of an Authentication-Results
    header."""
    text = re.sub(r"\([^()]*\)", " ", str(make_header(decode_header(header))))
    parts = [part.strip() for part in text.split(";")]
    server = parts[0].split()[0].lower() if parts[0].split() else ""
    results = []
    for part in parts[1:]:
        words = part.split()
        if not words or "=" not in words[0]:
            continue
        method, result = words[0].split("=", 1)
        properties = {}
        for word in words[1:]:
            if "=" in word:
                key, value = word.split("=", 1)
                properties[key.lower()] = value.strip('"').lower()
        results.append((method.lower(), result.lower(), properties))
    return server, results


def sender_vouched(message, server_id, from_address):
    """Whether our mail server (``server_id``, its authserv-id) found that the domain of
    ``from_address`` vouched for this mail (``message``: an ``email.message.Message``):
    DMARC passed for that domain, or a DKIM signature or the SPF check of an aligned domain
    passed. Headers of other servers are ignored: anyone may write them."""
    from_domain = _domain(from_address or "")
    server_id = (server_id or "").strip().lower()
    if not from_domain or not server_id:
        return False
    for header in message.get_all("Authentication-Results") or []:
        server, results = _results(header)
        if server != server_id:
            continue
        for method, result, properties in results:
            if result != "pass":
                continue
            if method == "dmarc" and properties.get("header.from", from_domain) == from_domain:
                return True
            if method == "dkim" and _aligned(
                    properties.get("header.d") or _domain(properties.get("header.i", "")),
                    from_domain):
                return True
            if method == "spf" and _aligned(_domain(properties.get("smtp.mailfrom", "")),
                                            from_domain):
                return True
    return False
