"""Stage 1: find input files and turn their bytes into text, robustly."""
from __future__ import annotations

import codecs
import gzip
import io
import os
import re
import stat
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import charset_normalizer
import numpy as np

from tasks.article import Document, Reject, StageResult
from tasks.config import ReadConfig

# file name endings and the kind of document they hold (the longest ending that matches wins)
KINDS = {".txt": "txt", ".html": "html", ".htm": "html", ".xhtml": "html", ".html.gz": "html", ".htm.gz": "html",
         ".jsonl": "jsonl", ".warc": "warc", ".warc.gz": "warc", ".arc": "warc", ".arc.gz": "warc"}
ENDINGS = sorted(KINDS, key=len, reverse=True)

# Leading bytes of formats that are never text (checked before any decoding).
BINARY_MAGIC = (
    b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"PK\x03\x04", b"\x1f\x8b", b"BZh",
    b"\x7fELF", b"RIFF", b"OggS", b"\x00\x00\x01\x00", b"ID3", b"7z\xbc\xaf", b"SQLite format",
)
BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"),
)
DECLARED_RE = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)|<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""",
    re.IGNORECASE,
)


class DecodeError(Exception):
    """Bytes that cannot become text; ``reason`` is the reject reason."""

    def __init__(self, reason: str, detail: str):
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


@dataclass
class Notice:
    """An entry of an input tree that is not read: hidden (skipped and counted), or a link back up the tree."""

    path: Path
    reason: str  # hidden_file | symlink_loop


def walk_inputs(source: str, include_hidden: bool = False) -> Iterator[Path | Notice]:
    """Yield the files of a source path (a file, or a directory searched recursively) in sorted order, and a
    Notice for each entry passed over: hidden files and folders (unless ``include_hidden``) and symbolic links
    that lead back into a folder already walked. Symbolic links are followed inside the tree.

    Only one directory's names are listed at a time: a source of any size streams.
    """
    path = Path(source)
    if not path.is_dir():
        yield path
        return
    seen: set[tuple[int, int]] = set()
    for root, dirs, files in os.walk(path, followlinks=True):
        info = os.stat(root)
        if (info.st_dev, info.st_ino) in seen:
            yield Notice(Path(root), "symlink_loop")
            dirs[:] = []
            continue
        seen.add((info.st_dev, info.st_ino))
        for name in sorted(dirs):
            if name.startswith(".") and not include_hidden:
                yield Notice(Path(root) / name, "hidden_file")
        dirs[:] = sorted(d for d in dirs if include_hidden or not d.startswith("."))
        for name in sorted(files):
            if name.startswith(".") and not include_hidden:
                yield Notice(Path(root) / name, "hidden_file")
            else:
                yield Path(root) / name


def discover_files(source: str, include_hidden: bool = False) -> Iterator[Path]:
    """Yield the input files of a source path (see ``walk_inputs``), without the entries passed over."""
    return (item for item in walk_inputs(source, include_hidden) if isinstance(item, Path))


def printable(path: Path | str) -> str:
    """Return a path as text that can be stored: a file name that is not valid UTF-8 keeps its bytes as escapes."""
    return os.fspath(path).encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def location_of(path: Path) -> str:
    """Return a file's location as a file URI (its real path; as given when a link loop has none)."""
    try:
        return path.resolve().as_uri()
    except (OSError, RuntimeError, ValueError):
        return path.absolute().as_uri()


def is_regular_file(path: Path) -> bool:
    """Tell whether a path is a regular file (not a named pipe, socket or device, which could block a read)."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return True  # the read reports why it cannot be read


def kind_of(path: Path) -> str | None:
    """Return the kind of a file by its name (txt, html, jsonl, warc), or None when newsflow does not read it."""
    name = path.name.lower()
    return next((KINDS[ending] for ending in ENDINGS if name.endswith(ending)), None)


def read_file_bytes(path: Path, limit: int) -> bytes:
    """Return a file's bytes, a gzip-compressed page (.html.gz) decompressed; refuse more than ``limit`` bytes."""
    info = path.stat()
    if not stat.S_ISREG(info.st_mode):
        raise DecodeError("not_a_file", "a named pipe, socket or device, not a regular file: never opened")
    size = info.st_size
    if size > limit:
        raise DecodeError("too_large", f"{size} bytes, over read.max_file_bytes = {limit}")
    data = path.read_bytes()
    if path.name.lower().endswith(".gz"):
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(data)) as unpacked:
                data = unpacked.read(limit + 1)
        except (OSError, EOFError, zlib.error) as exc:
            raise DecodeError("bad_gzip", f"{type(exc).__name__}: {exc}") from None
        if len(data) > limit:
            raise DecodeError("too_large", f"over read.max_file_bytes = {limit} once decompressed")
    return data


def find_declared_charset(data: bytes) -> str | None:
    """Return the charset declared in an HTML meta tag or XML declaration, if any and known."""
    match = DECLARED_RE.search(data[:4096])
    if not match:
        return None
    name = (match.group(1) or match.group(2)).decode("ascii", "ignore")
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def guess_utf16(data: bytes) -> str | None:
    """Return utf-16-le/be for BOM-less UTF-16 text, else None.

    Text in UTF-16 has the zero high byte of its ASCII characters (line breaks, digits, spaces) in every other
    position and none in the others, and decodes strictly to printable characters. That holds for any script:
    Japanese or Chinese text has few such characters, but its line breaks are enough.
    """
    sample = data[:4096]
    sample = sample[: len(sample) // 2 * 2]
    if len(sample) < 16:
        return None
    for encoding, high, low in (("utf-16-le", sample[1::2], sample[0::2]), ("utf-16-be", sample[0::2], sample[1::2])):
        zeros_high, zeros_low = high.count(0), low.count(0)
        if zeros_high < max(2, len(high) // 200) or zeros_low > zeros_high // 20:
            continue
        try:
            text = sample.decode(encoding)
        except UnicodeDecodeError:
            continue
        printable = sum(ch.isprintable() or ch in "\n\r\t" for ch in text)
        if printable / len(text) >= 0.97 and control_ratio(text) < 0.01:
            return encoding
    return None


def is_binary(data: bytes, utf16: str | None = None) -> bool:
    """Tell whether bytes are a known binary format or contain NULs outside UTF-16/32 text.

    ``utf16`` is ``guess_utf16(data)`` when the caller has it already.
    """
    if data.startswith(BINARY_MAGIC):
        return True
    if any(data.startswith(bom) for bom, _ in BOMS) or (utf16 or guess_utf16(data)):
        return False
    head = data[:65536]
    # a few stray NULs in text (a CMS bug) do not make a file binary; binary formats are full of them
    return head.count(b"\x00") > max(4, len(head) // 1000)


WHITESPACE = "".join(chr(i) for i in range(0x3001) if chr(i).isspace())  # every white space of any script


def control_ratio(text: str) -> float:
    """Return the share of characters that are control characters (C0 but tab, line feed, form feed and carriage
    return; DEL; C1).

    Counted over the code points as an array (one pass in C): a regex scan took 0.3 ms a page.
    """
    if not text:
        return 0.0
    points = np.frombuffer(text.encode("utf-32-le", errors="surrogatepass"), dtype="<u4")
    c0 = (points < 0x20) & (points != 0x09) & (points != 0x0A) & (points != 0x0C) & (points != 0x0D)
    return int(np.count_nonzero(c0) + np.count_nonzero((points >= 0x7F) & (points < 0xA0))) / len(text)


# When detection scores several single-byte code pages equally (they differ in a few letters only),
# the one most used for news text wins.
COMMON_ENCODINGS = ("cp1252", "iso8859_15", "latin_1", "cp1251", "koi8_r", "koi8_u", "iso8859_5", "cp1250",
                    "iso8859_2", "cp1257", "cp1253", "cp1254")


def choose_encoding(data: bytes) -> str | None:
    """Detect the encoding of undeclared non-UTF-8 bytes; among equally good guesses prefer common ones."""
    matches = list(charset_normalizer.from_bytes(data[:262144]))
    if not matches:
        return None
    best = matches[0]
    ties = [m for m in matches if m.chaos <= best.chaos + 1e-9 and abs(m.coherence - best.coherence) < 0.01]
    rank = {name: i for i, name in enumerate(COMMON_ENCODINGS)}
    names = [(rank.get(alias, len(rank)), alias) for m in ties for alias in [m.encoding, *m.could_be_from_charset]]
    return min(names)[1]


def decode_bytes(data: bytes, declared: str | None = None, config: ReadConfig = ReadConfig()) -> tuple[str, str]:
    """Decode bytes to text: BOM or UTF-16, then valid UTF-8 beyond ASCII, then the declared charset, then UTF-8,
    then detection.

    Pure ASCII bytes try the declaration first: 7-bit encodings (ISO-2022-JP, UTF-7) are ASCII bytes too.
    """
    if not data.strip():
        raise DecodeError("empty_file", "the file holds no bytes other than white space")
    utf16 = guess_utf16(data)
    if is_binary(data, utf16):
        raise DecodeError("binary", f"binary content (starts with {data[:8]!r})")
    for bom, name in BOMS:
        if data.startswith(bom):
            return _checked(data[len(bom):].decode(name, errors="replace"), name, config)
    if utf16:
        return _checked(data.decode(utf16, errors="replace"), utf16, config)
    if not data.isascii():
        try:  # valid UTF-8 beyond ASCII is UTF-8 whatever a page declares (a template says ISO-8859-1, the CMS wrote UTF-8)
            return _checked(data.decode("utf-8"), "utf-8", config, guessed=False)
        except UnicodeDecodeError:
            pass
    for name in (declared, find_declared_charset(data)):
        if name:
            try:
                return _checked(*recheck_cyrillic(data, data.decode(name), name), config)
            except (UnicodeDecodeError, LookupError):
                pass  # a wrong declaration is common: fall through to detection
    try:
        return _checked(data.decode("utf-8"), "utf-8", config)
    except UnicodeDecodeError:
        pass
    encoding = choose_encoding(data)
    if encoding is None:
        raise DecodeError("undecodable", "no character encoding fits these bytes")
    try:
        return _checked(data.decode(encoding), encoding, config)
    except (UnicodeDecodeError, LookupError) as exc:
        raise DecodeError("undecodable", f"detected {encoding} but decoding failed: {exc}") from None


CYRILLIC_PAGES = tuple(codecs.lookup(page).name for page in ("cp1251", "koi8_r", "koi8_u", "iso8859_5", "cp866",
                                                              "mac_cyrillic"))
CYRILLIC = re.compile("[\u0400-\u04ff]")
VOWELS = frozenset("аеёиоуыэюяіїєАЕЁИОУЫЭЮЯІЇЄ")
MIN_VOWEL_SHARE = 0.33  # Russian and Ukrainian text: about 0.4 of the letters; a wrong Cyrillic code page: about 0.25


def recheck_cyrillic(data: bytes, text: str, name: str) -> tuple[str, str]:
    """Return (text, encoding), trying the other Cyrillic code pages when a declared one reads as mojibake.

    A template that declares windows-1251 over KOI8-R bytes gives letters in the wrong places: the vowels of
    running Russian or Ukrainian text fall from about 40 % of the letters to about 25 %. Then the Cyrillic code page
    that gives the most vowels is the one the text was written in.
    """
    try:
        declared = codecs.lookup(name).name
    except LookupError:
        return text, name
    if declared not in CYRILLIC_PAGES or vowel_share(text) >= MIN_VOWEL_SHARE:
        return text, name
    candidates = [(text, name)]
    for other in CYRILLIC_PAGES:
        if other != declared:
            try:
                candidates.append((data.decode(other), other))
            except UnicodeDecodeError:
                continue
    # a code page whose letters land on box drawing (cp866 over KOI8) has fewer Cyrillic letters: out
    counts = [len(CYRILLIC.findall(t[:65536])) for t, _ in candidates]
    fair = [c for c, n in zip(candidates, counts) if n >= 0.9 * max(counts)]
    return max(fair, key=lambda c: vowel_share(c[0]))


def vowel_share(text: str) -> float:
    """Return the share of vowels among the Cyrillic letters of a text (1.0 when it has too few to tell)."""
    letters = CYRILLIC.findall(text[:65536])
    if len(letters) < 40:
        return 1.0
    return sum(ch in VOWELS for ch in letters) / len(letters)


def has_whitespace(text: str) -> bool:
    """Tell whether a text has the spaces or line breaks every real document has (in any script)."""
    sample = text[:65536]
    if len(sample) < 200:
        return True
    needed = 0.005 * len(sample)
    return sum(map(sample.count, " \n")) >= needed or sum(map(sample.count, WHITESPACE)) >= needed


# scripts written without spaces between words: CJK ideographs, kana and hangul (search indexes them as bigrams),
# and Thai, Lao, Khmer, Myanmar
CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
UNSPACED = re.compile(f"[{CJK}\u0e00-\u0eff\u1780-\u17ff\u1000-\u109f]")
SENTENCE_MARKS = re.compile("[\u3001\u3002\uff0c\uff01\uff1f\u300c\u300d\u0e2f\u17d4\u104b]")  # 、。，！？「」...
TAG = re.compile(r"<[a-zA-Z!/]")


def is_text_without_spaces(text: str) -> bool:
    """Tell whether text without white space is still text: prose of a script written without spaces (with its
    sentence marks), or markup (minified HTML, compact JSON Lines around such prose)."""
    sample = text[:65536]
    unspaced = len(UNSPACED.findall(sample))
    if unspaced >= 0.3 * len(sample) and len(SENTENCE_MARKS.findall(sample)) * 500 >= len(sample):
        return True
    return sample.lstrip().startswith("<") and len(TAG.findall(sample)) * 200 >= len(sample)


def _checked(text: str, encoding: str, config: ReadConfig, guessed: bool = True) -> tuple[str, str]:
    """Refuse decoded text that is not text; ``guessed`` is False for valid multi-byte UTF-8.

    The white-space test guards against binary bytes that any single-byte code page decodes; bytes that are
    valid UTF-8 with non-ASCII characters are text by that alone (CJK prose, minified HTML with long inline
    scripts have little white space).
    """
    text = text.replace("\x00", "")  # stray NULs (see is_binary) are never text
    if control_ratio(text[:65536]) > config.max_control_ratio:
        raise DecodeError("binary", f"decoded as {encoding} but too many control characters")
    if guessed and not has_whitespace(text) and not is_text_without_spaces(text):
        raise DecodeError("undecodable", f"decoded as {encoding} but no white space at all: not text")
    if text.count("\ufffd") > max(8, len(text) // 100):
        raise DecodeError("undecodable", f"too many undecodable bytes for {encoding}")
    return text, encoding


def utf8_bytes(data: bytes, kind: str | None, encoding: str) -> bytes:
    """Return a page's bytes when its text is exactly them decoded (UTF-8 without BOM or NULs), else b"".

    The HTML parser takes UTF-8 bytes: handing it those read spares encoding the text again (0.2 ms a page).
    """
    if kind == "html" and encoding == "utf-8" and not data.startswith(codecs.BOM_UTF8) and b"\x00" not in data:
        return data
    return b""


def read_documents(paths: list[tuple[str, Path]], config: ReadConfig) -> StageResult:
    """Read and decode a batch of (source name, path) pairs into documents."""
    docs, rejects = [], []
    for source, path in paths:
        location = location_of(path)
        kind = kind_of(path)
        try:
            data = read_file_bytes(path, config.max_file_bytes)
            text, encoding = decode_bytes(data, config=config)
        except DecodeError as exc:
            rejects.append(Reject(source, location, "read", exc.reason, exc.detail))
            continue
        except OSError as exc:
            rejects.append(Reject(source, location, "read", "unreadable", f"{type(exc).__name__}: {exc}"))
            continue
        docs.append(Document(source, location, kind or "txt", utf8_bytes(data, kind, encoding), text, encoding))
    return StageResult(docs, rejects)


def iter_inputs(source: str, name: str | None = None,
                include_hidden: bool = False) -> Iterator[tuple[str, Path] | Reject | Notice]:
    """Yield (source name, file) for every file of a source path that newsflow reads, a Reject for the others,
    and a Notice for hidden entries (skipped and counted) and symbolic-link loops.

    A directory is named after itself and a file after its directory, unless ``name`` is given.
    """
    path = Path(source)
    source_name = name or printable(path.resolve().name if path.is_dir() else path.resolve().parent.name)
    if not path.exists():
        yield Reject(source_name, printable(path), "discover", "not_found", "no such file or directory")
        return
    try:
        for file in walk_inputs(source, include_hidden):
            if isinstance(file, Notice):
                if file.reason == "symlink_loop":
                    yield Reject(source_name, file.path.absolute().as_uri(), "discover", "symlink_loop",
                                 "a symbolic link leads back to a folder already read")
                else:
                    yield file
            elif kind_of(file) is None:
                yield Reject(source_name, file.absolute().as_uri(), "discover", "unsupported_type",
                             f"newsflow reads {', '.join(sorted(KINDS))}, not {printable(file.suffix) or 'no suffix'}")
            elif not is_regular_file(file):
                yield Reject(source_name, file.absolute().as_uri(), "discover", "not_a_file",
                             "a named pipe, socket or device, not a regular file: never opened")
            else:
                yield source_name, file
    except OSError as exc:  # a folder that cannot be listed costs that folder
        yield Reject(source_name, printable(path), "discover", "unreadable", f"{type(exc).__name__}: {exc}")
