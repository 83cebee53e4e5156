"""In development links follow the port the app is served on; production names its own."""

import pytest

from interviews.config import ConfigError, settings_from_env

PRODUCTION = {"INTERVIEWS_ENV": "production", "SECRET_KEY": "s" * 50}


def test_development_links_follow_the_port_the_server_runs_on(tmp_path):
    settings = settings_from_env({}, tmp_path, dev_server=("127.0.0.1", 5077))
    assert settings["BASE_URL"] == "http://127.0.0.1:5077"


def test_a_server_on_every_interface_is_linked_as_this_machine(tmp_path):
    assert settings_from_env({}, tmp_path, dev_server=("0.0.0.0", 8080))["BASE_URL"] == (
        "http://127.0.0.1:8080"
    )
    assert settings_from_env({}, tmp_path, dev_server=("localhost", 8080))["BASE_URL"] == (
        "http://localhost:8080"
    )
    assert settings_from_env({}, tmp_path, dev_server=("::1", 8080))["BASE_URL"] == (
        "http://[::1]:8080"
    )


def test_development_commands_other_than_run_follow_the_port_variable(tmp_path):
    # `make run PORT=P` seeds the demo (its busy calendar is this app's own feed) with P.
    assert settings_from_env({"PORT": "5077"}, tmp_path)["BASE_URL"] == "http://127.0.0.1:5077"
    assert settings_from_env({}, tmp_path)["BASE_URL"] == "http://127.0.0.1:5000"


def test_a_set_base_url_wins_over_the_port(tmp_path):
    settings = settings_from_env(
        {"BASE_URL": "https://desk.example.com/", "PORT": "5077"},
        tmp_path,
        dev_server=("127.0.0.1", 5078),
    )
    assert settings["BASE_URL"] == "https://desk.example.com"


def test_a_port_that_is_not_a_number_is_refused_by_name(tmp_path):
    with pytest.raises(ConfigError, match="PORT must be a whole number"):
        settings_from_env({"PORT": "five"}, tmp_path)


def test_production_without_base_url_refuses_to_start_and_says_how_to_fix_it(tmp_path):
    with pytest.raises(ConfigError) as refused:
        settings_from_env(PRODUCTION, tmp_path, dev_server=("127.0.0.1", 5077))
    message = str(refused.value)
    assert "BASE_URL is required when INTERVIEWS_ENV=production" in message
    assert "BASE_URL=https://desk.example.com" in message
