"""A date-translation data set, made locally and deterministically (nothing is downloaded).

Each example pairs a date written by a human, in one of the 16 formats of `FORMATS`, with
its machine form YYYY-MM-DD:

    ("Thursday, March 8 2001", "2001-03-08"), ("08.03.01", "2001-03-08"), ...

Dates are drawn uniformly from 1950-01-01 to 2049-12-31 with a NumPy Generator and written
with this module's own month and weekday tables (never the locale-dependent `strftime`), so
the same seed gives the same pairs on every machine. Numeric formats put the day first
(08/03/2001 is 8 March); a two-digit year yy means 19yy for yy >= 50 and 20yy otherwise.
Every tenth day (ordinal from 1950-01-01 divisible by 10) is held out: `split="test"`
draws only those days and `split="train"` never does.

Vocabularies (`HUMAN_VOCAB`, 37 symbols; `MACHINE_VOCAB`, 11 symbols):

    human:   0 <pad>, 1 <unk>, 2 ' ', 3 '.', 4 '/', 5-14 digits '0'-'9', 15-36 the 22
             letters of the month and weekday names: a b c d e f g h i j l m n o p r s t u v w y
    machine: 0-9 digits '0'-'9' (id = digit), 10 '-'

Human strings are normalised before encoding: lower case, commas removed; other unknown
characters become <unk>. They are cut or padded with <pad> on the right to TX = 30 steps.

    make_dataset(n, seed, split="train") -> list of n (human, machine) pairs
    encode_human(strings) -> ids: (N, TX) int;   decode_human(ids) -> normalised strings
    encode_machine(strings) -> ids: (N, TY) int; decode_machine(ids) -> strings
    one_hot(ids, vocab_size) -> (N, T, V) float, e.g. one_hot(encode_human(s), 37): (N, 30, 37)
"""

import datetime

import numpy as np

TX = 30
TY = 10
MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
LETTERS = "abcdefghijlmnoprstuvwy"
HUMAN_VOCAB = ("<pad>", "<unk>", " ", ".", "/", *"0123456789", *LETTERS)
MACHINE_VOCAB = (*"0123456789", "-")
PAD, UNK = 0, 1
FORMATS = (
    "{d} {month} {yyyy}",  # 3 may 1979
    "{dd} {month} {yyyy}",  # 03 may 1979
    "{d} {mon} {yyyy}",  # 8 mar 2001
    "{d} {mon} {yy}",  # 8 mar 01
    "{month} {d}, {yyyy}",  # march 8, 2001
    "{mon} {dd} {yyyy}",  # mar 08 2001
    "{weekday}, {month} {d} {yyyy}",  # thursday, march 8 2001
    "{weekday} {d} {month} {yyyy}",  # thursday 8 march 2001
    "{wkd} {d} {mon} {yyyy}",  # thu 8 mar 2001
    "{wkd}, {mon} {d}, {yyyy}",  # thu, mar 8, 2001
    "{dd}/{mm}/{yyyy}",  # 08/03/2001
    "{d}/{m}/{yyyy}",  # 8/3/2001
    "{dd}/{mm}/{yy}",  # 08/03/01
    "{dd}.{mm}.{yyyy}",  # 08.03.2001
    "{dd}.{mm}.{yy}",  # 08.03.01
    "{d}.{m}.{yy}",  # 8.3.01
)
FIRST_DAY = datetime.date(1950, 1, 1).toordinal()
LAST_DAY = datetime.date(2049, 12, 31).toordinal()
HELD_OUT_EVERY = 10

_HUMAN_IDS = {symbol: i for i, symbol in enumerate(HUMAN_VOCAB)}
_MACHINE_IDS = {symbol: i for i, symbol in enumerate(MACHINE_VOCAB)}


def _fields(day: datetime.date) -> dict:
    """The pieces a format can use, e.g. d '8', dd '08', mon 'mar', wkd 'thu', yy '01'."""
    month, weekday = MONTHS[day.month - 1], WEEKDAYS[day.weekday()]
    return {
        "d": str(day.day),
        "dd": f"{day.day:02d}",
        "m": str(day.month),
        "mm": f"{day.month:02d}",
        "month": month,
        "mon": month[:3],
        "weekday": weekday,
        "wkd": weekday[:3],
        "yyyy": f"{day.year:04d}",
        "yy": f"{day.year % 100:02d}",
    }


def _write(day: datetime.date, form: str, case: int) -> str:
    """`day` in format `form`, in lower case (0), title case (1) or upper case (2)."""
    text = form.format(**_fields(day))
    return (text, text.title(), text.upper())[case]


def _split_days(split: str) -> np.ndarray:
    """Ordinals of the days of `split`: "test", every tenth day, or "train", the others."""
    if split not in ("train", "test"):
        raise ValueError(f"split should be 'train' or 'test', not {split!r}")
    offsets = np.arange(LAST_DAY - FIRST_DAY + 1)
    held_out = offsets % HELD_OUT_EVERY == 0
    return FIRST_DAY + (offsets[held_out] if split == "test" else offsets[~held_out])


def make_dataset(n: int, seed: int, split: str = "train") -> list[tuple[str, str]]:
    """n pairs (human date, "YYYY-MM-DD"), the same for the same (seed, split).

    Each pair draws a day of the split, a format of FORMATS and a letter case from one row
    of uniform numbers, so make_dataset(n, seed)[:k] == make_dataset(k, seed).
    """
    days = _split_days(split)
    draws = np.random.default_rng(seed).random((n, 3))
    choices = np.floor(draws * [len(days), len(FORMATS), 3]).astype(np.int64)
    pairs = []
    for day_index, form, case in choices:
        day = datetime.date.fromordinal(int(days[day_index]))
        pairs.append((_write(day, FORMATS[form], case), day.isoformat()))
    return pairs


def normalise(text: str) -> str:
    """Lower case without commas: 'Thursday, March 8 2001' -> 'thursday march 8 2001'."""
    return text.lower().replace(",", "")


def encode_human(strings, length: int = TX) -> np.ndarray:
    """strings: N human dates -> ids: (N, length) int64, padded with <pad> (0) or cut."""
    ids = np.full((len(strings), length), PAD, dtype=np.int64)
    for row, text in enumerate(strings):
        symbols = [_HUMAN_IDS.get(char, UNK) for char in normalise(text)[:length]]
        ids[row, : len(symbols)] = symbols
    return ids


def decode_human(ids: np.ndarray) -> list[str]:
    """ids: (N, T) int -> N normalised strings, <pad> dropped and <unk> kept as '<unk>'."""
    return ["".join(HUMAN_VOCAB[i] for i in row if i != PAD) for row in np.asarray(ids)]


def encode_machine(strings) -> np.ndarray:
    """strings: N dates 'YYYY-MM-DD' -> ids: (N, TY) int64."""
    if any(len(text) != TY for text in strings):
        raise ValueError(f"machine dates have exactly {TY} characters, YYYY-MM-DD")
    return np.array([[_MACHINE_IDS[char] for char in text] for text in strings], dtype=np.int64)


def decode_machine(ids: np.ndarray) -> list[str]:
    """ids: (N, T) int -> N strings over MACHINE_VOCAB."""
    return ["".join(MACHINE_VOCAB[i] for i in row) for row in np.asarray(ids)]


def one_hot(ids: np.ndarray, vocab_size: int, dtype=np.float64) -> np.ndarray:
    """ids: (N, T) int -> (N, T, vocab_size) with a single 1 per step, at the id."""
    return np.eye(vocab_size, dtype=dtype)[ids]
