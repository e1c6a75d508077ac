"""The date data set: deterministic, its vocabularies and sizes, encode/decode round trips."""

import datetime

import numpy as np
import pytest

from rnnlab.dates import (
    FORMATS,
    HUMAN_VOCAB,
    MACHINE_VOCAB,
    TX,
    TY,
    _write,
    decode_human,
    decode_machine,
    encode_human,
    encode_machine,
    make_dataset,
    normalise,
    one_hot,
)


def test_same_seed_same_pairs_and_known_first_pairs():
    assert make_dataset(300, 7) == make_dataset(300, 7)
    assert make_dataset(300, 7) != make_dataset(300, 8)
    assert make_dataset(300, 7)[:20] == make_dataset(20, 7)
    assert make_dataset(2, 0) == [
        ("september 12, 2013", "2013-09-12"),
        ("28.08.1951", "1951-08-28"),
    ]


def test_vocabulary_sizes_and_shapes_of_the_source():
    assert len(HUMAN_VOCAB) == len(set(HUMAN_VOCAB)) == 37
    assert len(MACHINE_VOCAB) == 11 and (TX, TY) == (30, 10)
    humans = [human for human, _ in make_dataset(5, 0)]
    assert one_hot(encode_human(humans), len(HUMAN_VOCAB)).shape == (5, 30, 37)


def test_every_format_on_one_date():
    written = [_write(datetime.date(2001, 3, 8), form, case=0) for form in FORMATS]
    assert written == [
        "8 march 2001", "08 march 2001", "8 mar 2001", "8 mar 01", "march 8, 2001",
        "mar 08 2001", "thursday, march 8 2001", "thursday 8 march 2001", "thu 8 mar 2001",
        "thu, mar 8, 2001", "08/03/2001", "8/3/2001", "08/03/01", "08.03.2001", "08.03.01",
        "8.3.01",
    ]  # fmt: skip
    assert _write(datetime.date(1979, 5, 3), FORMATS[6], case=1) == "Thursday, May 3 1979"


def test_generated_text_fits_the_vocabulary_and_the_length():
    pairs = make_dataset(3000, 1)
    ids = encode_human([human for human, _ in pairs])
    assert not np.any(ids == HUMAN_VOCAB.index("<unk>"))
    assert max(len(normalise(human)) for human, _ in pairs) <= TX
    assert all(datetime.date.fromisoformat(machine) for _, machine in pairs)


def test_held_out_days_never_appear_in_training():
    train = {machine for _, machine in make_dataset(20_000, 0)}
    test = {machine for _, machine in make_dataset(1000, 1, split="test")}
    assert not train & test
    with pytest.raises(ValueError):
        make_dataset(1, 0, split="validation")


def test_round_trips():
    pairs = make_dataset(500, 2)
    humans, machines = [h for h, _ in pairs], [m for _, m in pairs]
    assert decode_human(encode_human(humans)) == [normalise(h) for h in humans]
    assert decode_machine(encode_machine(machines)) == machines
    assert encode_machine(["2001-03-08"]).tolist() == [[2, 0, 0, 1, 10, 0, 3, 10, 0, 8]]


def test_encoding_pads_cuts_and_marks_unknown_symbols():
    ids = encode_human(["Mar 8, 2001!", "9" * 40])
    assert decode_human(ids) == ["mar 8 2001<unk>", "9" * TX]
    assert ids.shape == (2, TX) and ids[0, -1] == HUMAN_VOCAB.index("<pad>")


def test_one_hot_has_one_one_per_step():
    x = one_hot(np.array([[0, 3], [36, 1]]), 37, dtype=np.float32)
    assert x.dtype == np.float32 and x.shape == (2, 2, 37)
    np.testing.assert_array_equal(x.sum(axis=-1), 1)
    assert x[1, 0, 36] == 1
