"""The consumer's tests: its writer against the contract, its reader over the published corpus."""
from __future__ import annotations

import pytest
from usage_reader import NotAnExport, primary_emails, write_export

from export_format import load_private_key
from export_format.testing import ExportAssertionError, assert_valid_export

SERVER = "3f2c8a71-5d4e-4b9a-8c1f-6e7d2b0a9c54"


def test_my_writer_writes_valid_exports() -> None:
    assert_valid_export(write_export(SERVER, {1: "ada@acme.example", 2: "grace@acme.example"}))
    assert_valid_export(write_export(SERVER, {1: "ada@acme.example"}), version="1-0-0")


def test_a_broken_export_fails_with_path_and_message() -> None:
    with pytest.raises(ExportAssertionError) as failure:
        assert_valid_export(write_export(SERVER, {1: "not an address"}))
    assert "$.users[0].emails[0].address: not a valid email address" in str(failure.value)


def test_my_reader_reads_every_golden_file(export_corpus) -> None:
    assert export_corpus.golden, "the installed package ships no golden files"
    for name, path in export_corpus.golden.items():
        assert_valid_export(path, private_key=load_private_key())
        emails = primary_emails(path.read_bytes())
        assert all("@" in e for e in emails.values()), name


def test_my_reader_refuses_what_the_contract_refuses(export_corpus) -> None:
    """Every bad input my reader accepts is one it is too lenient about; it must stay few."""
    lenient = []
    for case in export_corpus.bad_inputs:
        with pytest.raises(ExportAssertionError):  # the key opens the encrypted ones' users
            assert_valid_export(case.data, private_key=load_private_key())
        try:
            primary_emails(case.data)
        except NotAnExport:
            continue
        lenient.append(case.name)
    assert len(export_corpus.bad_inputs) >= 30
    assert len(lenient) < len(export_corpus.bad_inputs) / 2, lenient
