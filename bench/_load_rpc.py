"""The two ways an outside client talks to Odoo 11, for bench/load.py (not a benchmark):
XML-RPC (/xmlrpc/2/object, as scripts and integrations do) and JSON-RPC with a session
cookie (/web/dataset/call_kw, as the web client does). Standard library only."""
import base64
import http.client
import http.cookiejar
import json
import urllib.request
import xmlrpc.client

TIMEOUT = 300  # seconds: a request that takes longer counts as an error


class RpcError(Exception):
    """A fault returned by the server (its message, and whether it is a concurrency
    conflict that the client should retry)."""

    def __init__(self, message, conflict=False):
        super().__init__(message)
        self.conflict = conflict


CONFLICT_MARKS = ("could not serialize access", "TransactionRollbackError",
                  "deadlock detected", "could not obtain lock")


def _is_conflict(text):
    return any(mark in text for mark in CONFLICT_MARKS)


class _Transport(xmlrpc.client.Transport):
    def make_connection(self, host):
        connection = super().make_connection(host)
        connection.timeout = TIMEOUT
        return connection


class XmlRpc:
    kind = "xmlrpc"

    def __init__(self, url, db, login, password):
        self.url, self.db, self.password = url, db, password
        common = xmlrpc.client.ServerProxy(url + "/xmlrpc/2/common", transport=_Transport(),
                                           allow_none=True)
        self.uid = common.authenticate(db, login, password, {})
        if not self.uid:
            raise RpcError("login %s refused" % login)
        self.proxy = xmlrpc.client.ServerProxy(url + "/xmlrpc/2/object",
                                               transport=_Transport(), allow_none=True)

    def call(self, model, method, *args, **kwargs):
        try:
            return self.proxy.execute_kw(self.db, self.uid, self.password, model, method,
                                         list(args), kwargs)
        except xmlrpc.client.Fault as fault:
            raise RpcError(fault.faultString.strip().splitlines()[-1][:300],
                           _is_conflict(fault.faultString))
        except (OSError, http.client.HTTPException, xmlrpc.client.ProtocolError) as error:
            raise RpcError("%s: %s" % (type(error).__name__, error))

    def search_read(self, model, domain, fields, limit=None, offset=0, order=None,
                    context=None):
        return self.call(model, "search_read", domain, fields, offset=offset, limit=limit,
                         order=order, context=context or {})

    def download_export(self, wizard_id, _action):
        """XML-RPC has no session for /web/content: the file is read from the wizard."""
        data = self.call("crm.lead.export", "read", [wizard_id], ["file_data"])[0]["file_data"]
        return base64.b64decode(data) if data else b""


class JsonRpc:
    kind = "jsonrpc"

    def __init__(self, url, db, login, password):
        self.url = url
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.counter = 0
        result = self._post("/web/session/authenticate",
                            {"db": db, "login": login, "password": password})
        self.uid = result.get("uid")
        if not self.uid:
            raise RpcError("login %s refused" % login)
        self.user_context = result.get("user_context") or {}

    def _post(self, path, params):
        self.counter += 1
        body = json.dumps({"jsonrpc": "2.0", "method": "call", "id": self.counter,
                           "params": params}).encode()
        request = urllib.request.Request(self.url + path, data=body,
                                         headers={"Content-Type": "application/json"})
        try:
            with self.opener.open(request, timeout=TIMEOUT) as response:
                answer = json.loads(response.read().decode())
        except (OSError, http.client.HTTPException, ValueError) as error:
            raise RpcError("%s: %s" % (type(error).__name__, error))
        if answer.get("error"):
            data = answer["error"].get("data") or {}
            text = "%s %s %s" % (data.get("name", ""), data.get("message", ""),
                                 data.get("debug", ""))
            raise RpcError((data.get("message") or answer["error"].get("message", ""))[:300],
                           _is_conflict(text))
        return answer.get("result")

    def _context(self, context):
        return dict(self.user_context, **(context or {}))

    def call(self, model, method, *args, **kwargs):
        kwargs["context"] = self._context(kwargs.get("context"))
        return self._post("/web/dataset/call_kw/%s/%s" % (model, method),
                          {"model": model, "method": method, "args": list(args),
                           "kwargs": kwargs})

    def search_read(self, model, domain, fields, limit=None, offset=0, order=None,
                    context=None):
        """The web client's route for lists and kanban columns (records and their count)."""
        result = self._post("/web/dataset/search_read", {
            "model": model, "domain": domain, "fields": fields, "limit": limit,
            "offset": offset, "sort": order or "", "context": self._context(context)})
        return result["records"]

    def download_export(self, _wizard_id, action):
        """As the browser does: the URL the export's action opens."""
        try:
            with self.opener.open(self.url + action["url"], timeout=TIMEOUT) as response:
                return response.read()
        except (OSError, http.client.HTTPException) as error:
            raise RpcError("%s: %s" % (type(error).__name__, error))
