"""One settings object, validated at start: a service missing a setting it needs outside dev refuses
to start, instead of failing on the first request that needs it."""
import pytest
from pydantic import ValidationError

from shared.app import create_app
from shared.settings import Settings, SettingsError

SECRET = "s" * 40


def prod(**kw) -> Settings:
    return Settings(env="prod", jwt_secret=SECRET, **kw)


def test_talent_without_its_keys_is_refused_outside_dev():
    with pytest.raises(SettingsError, match="SRDI_TALENT_KEY, SRDI_TALENT_HASH_KEY"):
        prod().check("talent")
    with pytest.raises(SettingsError, match="SRDI_TALENT_HASH_KEY"):
        prod(talent_key="k").check("talent")
    prod(talent_key="k", talent_hash_key="h" * 32).check("talent")
    prod().check("parks")  # other services do not need talent's keys
    Settings(env="dev").check("talent")  # dev derives them


def test_server_secret_required_and_long_enough_outside_dev():
    with pytest.raises(SettingsError, match="SRDI_JWT_SECRET"):
        Settings(env="prod").check("registry")
    with pytest.raises(RuntimeError, match="too short"):
        Settings(env="prod", jwt_secret="short").check("registry")


def test_a_short_hash_key_is_refused_when_read():
    with pytest.raises(ValidationError):
        Settings(talent_hash_key="short")


async def test_the_talent_service_does_not_start_without_its_keys(tmp_path):
    from services.talent.main import SPEC

    app = create_app(SPEC, prod(data_dir=tmp_path))
    with pytest.raises(SettingsError):
        async with app.router.lifespan_context(app):
            pass
