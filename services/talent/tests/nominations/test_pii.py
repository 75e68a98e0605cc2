"""The resident ID cipher: configured keys, rotation, the dev-only derived key."""
import pytest
from cryptography.fernet import Fernet, InvalidToken

from services.talent.nominations import pii
from shared.errors import Problem
from shared.settings import Settings
from shared.testing import make_resident_id

NUMBER = make_resident_id("19880315", 123)


def test_a_configured_key_encrypts_and_a_rotated_one_still_decrypts():
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    before = pii.cipher_from(Settings(env="prod", jwt_secret="x" * 40, talent_key=old))
    token = before.seal(NUMBER)
    assert NUMBER not in token and before.open(token) == NUMBER
    after = pii.cipher_from(Settings(env="prod", jwt_secret="x" * 40, talent_key=f"{new}, {old}"))
    assert after.open(token) == NUMBER
    with pytest.raises(InvalidToken):
        pii.cipher_from(Settings(env="prod", jwt_secret="x" * 40, talent_key=new)).open(token)


def test_the_derived_key_is_for_dev_only():
    dev = Settings(env="dev", jwt_secret="s" * 40)
    token = pii.cipher_from(dev).seal(NUMBER)
    assert pii.cipher_from(dev).open(token) == NUMBER          # the same secret, the same key
    with pytest.raises(InvalidToken):
        pii.cipher_from(Settings(env="dev", jwt_secret="t" * 40)).open(token)
    with pytest.raises(Problem) as refused:
        pii.cipher_from(Settings(env="prod", jwt_secret="s" * 40))
    assert refused.value.status == 503 and refused.value.code == "talent-key-missing"
