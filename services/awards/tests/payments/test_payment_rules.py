"""Payees and payment files as data: the mask, the account's normal form, the checksum trailer, the result
file read back, and the account key (encrypted at rest; outside dev a key must be set)."""
import hashlib

import pytest
from cryptography.fernet import Fernet

from services.awards.payees import rules as payees
from services.awards.payees.service import cipher_from
from services.awards.payments import rules
from shared.errors import Problem
from shared.settings import Settings


def test_account_mask_and_normal_form():
    assert payees.normal_account(" 6222 0202-0000 1234 ") == "6222020200001234"
    assert payees.normal_account("1234567") is None and payees.normal_account("6222abc00001234") is None
    assert payees.mask("6222020200001234") == "6222 **** **** 1234"


def test_trailer_checksum_over_the_lines_as_written():
    rows = [[1, "ZF2026-00001", 7, "=甲公司", "工行", "6222020200001234", 300000, "层级奖励（奖励编号 7）"]]
    text = "1|ZF2026-00001|7|'=甲公司|工行|6222020200001234|300000|层级奖励（奖励编号 7）"  # the formula guard applied
    assert rules.trailer("ZF2026-00001", rows) == ["合计", "ZF2026-00001", 1, "", "", "", 300000,
                                                  "SHA-256:" + hashlib.sha256(text.encode()).hexdigest()]


def test_result_rows_read_back():
    rows = [["支付系统回盘"], ["序号", "奖励编号", "结果", "凭证号", "退回原因"], [1, 7, " 成功 ", "V-1", None],
            [None, None, None, None, None], ["2", "8", "RETURNED", "", "销户"], ["合计", "", "", "", ""],
            [3, 9, "作废", "", ""]]
    lines, errors = rules.read_rows(rows)
    assert errors == []
    assert [(x.line, x.seq, x.award_id, x.result, x.voucher, x.reason) for x in lines] == [
        (3, 1, 7, "paid", "V-1", None), (5, 2, 8, "returned", None, "销户"), (7, 3, 9, None, None, None)]
    assert rules.read_rows([["a", "b"]])[1][0]["type"] == "no-header"
    assert rules.read_rows([["结果", "凭证号"]])[1][0]["type"] == "no-header"  # neither 序号 nor 奖励编号


def test_account_key(tmp_path):
    key = Fernet.generate_key().decode()
    sealed = cipher_from(Settings(env="prod", payee_key=key, data_dir=tmp_path)).seal("6222020200001234")
    assert "6222020200001234" not in sealed
    rotated = cipher_from(Settings(env="prod", payee_key=f"{Fernet.generate_key().decode()},{key}", data_dir=tmp_path))
    assert rotated.open(sealed) == "6222020200001234"  # an old key still decrypts after a rotation
    with pytest.raises(Problem) as e:
        cipher_from(Settings(env="prod", payee_key=None, data_dir=tmp_path, jwt_secret="x" * 40))
    assert (e.value.status, e.value.code) == (503, "payee-key-missing")
    dev = cipher_from(Settings(env="dev", data_dir=tmp_path, jwt_secret="y" * 40))
    assert dev.open(dev.seal("6222020200001234")) == "6222020200001234"
