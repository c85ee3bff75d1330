"""Reading PDFs back in tests: text with pdftotext, page size with pdfinfo, QR codes with zbarimg
(the first page drawn to PNG by pdftoppm)."""

import re
import subprocess

POINTS_PER_MM = 72 / 25.4


def _write(pdf: bytes, tmp_path):
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    return path


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = _write(pdf, tmp_path)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def _info(pdf: bytes, tmp_path) -> str:
    path = _write(pdf, tmp_path)
    return subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout


def pdf_page_count(pdf: bytes, tmp_path) -> int:
    return int(re.search(r"^Pages:\s+(\d+)", _info(pdf, tmp_path), re.M).group(1))


def pdf_page_size_mm(pdf: bytes, tmp_path) -> tuple[float, float]:
    match = re.search(r"^Page size:\s+([\d.]+) x ([\d.]+) pts", _info(pdf, tmp_path), re.M)
    return float(match.group(1)) / POINTS_PER_MM, float(match.group(2)) / POINTS_PER_MM


def pdf_qr_codes(pdf: bytes, tmp_path, dpi: int = 150) -> list[str]:
    path = _write(pdf, tmp_path)
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-singlefile", str(path), str(tmp_path / "page")], check=True)
    read = subprocess.run(["zbarimg", "--quiet", "--raw", str(tmp_path / "page.png")], capture_output=True, text=True)
    return read.stdout.split()
