"""What a screen reader needs from a PDF we hand out (PDF/UA-1): a structure tree
with headings and tables, marked content, the language and the title shown."""

import io

import pypdf


def assert_tagged(content: bytes, *, title: str, tags: set[str]) -> None:
    reader = pypdf.PdfReader(io.BytesIO(content))
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])
    assert root["/Lang"] == "en-GB"
    assert root["/ViewerPreferences"]["/DisplayDocTitle"]
    assert title in (reader.metadata.title or "")
    assert b"pdfuaid:part" in root["/Metadata"].get_object().get_data()
    found: set[str] = set()
    stack = [root["/StructTreeRoot"].get_object()]
    while stack:
        node = stack.pop()
        if isinstance(node, pypdf.generic.ArrayObject):
            stack.extend(item.get_object() for item in node)
            continue
        if not isinstance(node, pypdf.generic.DictionaryObject):
            continue
        if "/S" in node:
            found.add(str(node["/S"]).lstrip("/"))
        if "/K" in node:
            stack.append(node["/K"].get_object())
    assert tags <= found, f"missing {tags - found} in {sorted(found)}"
