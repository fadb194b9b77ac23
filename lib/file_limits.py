"""How much of a file the import agrees to read.

A 1.2 MB .xlsx may expand to 300 MB of sheet XML (1.9 million rows): read whole, it kept the
server busy for 85 s and 1.5 GB. So, before openpyxl parses anything, the sizes the zip
declares are summed (zipfile never inflates a part beyond its declared size: a lying header
ends in a CRC error), and the sheets' and shared strings' XML is inflated in chunks and its
row, cell and string tags counted with a regular expression (C speed, 10 ms per MB),
stopping at the first limit passed. The readers count again while they read: openpyxl adds
the rows and columns a sheet skips (one cell at XFD1048576 is a million padded rows).
"""
import io
import re
import zipfile
from collections import namedtuple

from .errors import SpreadsheetError

# Defaults; the addon reads them from system parameters (crm.lead.import.engine._file_limits).
MAX_ROWS = 200000
MAX_CELLS = 5000000
MAX_XLSX_MB = 256

Limits = namedtuple("Limits", "rows cells xlsx_mb")
DEFAULT_LIMITS = Limits(MAX_ROWS, MAX_CELLS, MAX_XLSX_MB)

# Tags counted per part, as (tag, limit, error). A part may give its elements a namespace
# prefix (<x:row>): the prefix of its root element is looked up and counted with the tag.
ROOT_TAG = re.compile(rb"<(?:([A-Za-z_][\w.-]{0,31}):)?(?:worksheet|sst)[\s>/]")
CHUNK = 1024 * 1024
# How far back from a chunk's end a tag may start (tags are at most 40 bytes).
OVERLAP = 64


def too_many_rows(limit):
    return SpreadsheetError("too_many_rows", "The file has more than %(rows)d rows.", rows=limit)


def too_many_cells(limit):
    return SpreadsheetError("too_many_cells", "The file has more than %(cells)d cells.",
                            cells=limit)


def check_xlsx(content, limits=DEFAULT_LIMITS):
    """Refuse an .xlsx whose parts are too large once inflated, or whose sheets hold more
    rows or cells (or shared strings: one per cell at most) than the limits."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise SpreadsheetError("bad_xlsx", "This .xlsx file cannot be read (%(detail)s).",
                               detail=error.__class__.__name__)
    if sum(info.file_size for info in infos) > limits.xlsx_mb * 1024 * 1024:
        raise SpreadsheetError("xlsx_too_large", "This .xlsx file takes more than %(size)d MB "
                               "once decompressed.", size=limits.xlsx_mb)
    with archive:
        for info in infos:
            name = info.filename.lower()
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                # The header row is not counted in the limit.
                _count_tags(archive, info, [
                    (b"row", limits.rows + 1, too_many_rows(limits.rows)),
                    (b"c", limits.cells, too_many_cells(limits.cells))])
            elif name == "xl/sharedstrings.xml":
                _count_tags(archive, info, [(b"si", limits.cells, too_many_cells(limits.cells))])


def _count_tags(archive, info, counted):
    """Inflate one part chunk by chunk and stop at the first tag count over its limit."""
    counts = [0] * len(counted)
    tail = b""
    patterns = None
    try:
        with archive.open(info) as part:
            while True:
                chunk = part.read(CHUNK)
                data = tail + chunk
                if patterns is None:
                    # A literal start (no optional group) keeps the search at C speed: 10 ms
                    # per MB instead of 35.
                    root = ROOT_TAG.search(data)
                    prefix = root.group(1) + b":" if root and root.group(1) else b""
                    patterns = [re.compile(re.escape(b"<" + prefix + tag) + rb"[\s>/]")
                                for tag, _limit, _error in counted]
                # A tag is at most 40 bytes and holds one "<": every tag starting before the
                # last "<" of the chunk's end is whole; from there on, counted with the next.
                cut = data.rfind(b"<", max(0, len(data) - OVERLAP)) if chunk else -1
                cut = len(data) if cut < 0 else cut
                for index, (_tag, limit, error) in enumerate(counted):
                    counts[index] += len(patterns[index].findall(data, 0, cut))
                    if counts[index] > limit:
                        raise error
                if not chunk:
                    return
                tail = data[cut:]
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as error:
        raise SpreadsheetError("bad_xlsx", "This .xlsx file cannot be read (%(detail)s).",
                               detail=error.__class__.__name__)
