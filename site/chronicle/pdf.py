"""PDFs people can read with a screen reader: tagged, PDF/UA-1 (WCAG 2.2 AA asks
that documents we hand out are accessible, not only pages).

WeasyPrint writes the structure tree (headings, paragraphs, tables, lists) from the
HTML, with the document's language and title from `<html lang>` and `<title>`; the
templates must carry both, and keep a real heading order."""

from typing import Any


def tagged_pdf(html: str) -> bytes:
    import weasyprint  # imported here: Pango is loaded only when a PDF is made

    pdf: Any = weasyprint.HTML(string=html).write_pdf(pdf_variant="pdf/ua-1")
    return bytes(pdf)
