"""The busy-port refusal suggests a command that, copied as it stands, starts the stack on
ports that are free, keeping every other port the user chose."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator

import pytest

from localdev.ports_in_use import BusyPort, explain, is_free
from localdev.stack import HOST, default_ports

ALL_VARIABLES = list(default_ports())


@pytest.fixture
def held_port() -> Iterator[int]:
    """A port this test really holds, so the suggestion has to move away from it."""
    with socket.socket() as squatter:
        squatter.bind((HOST, 0))
        squatter.listen()
        yield int(squatter.getsockname()[1])


def suggested_command(message: str) -> dict[str, int]:
    """The VAR=port assignments of the suggested `... make run` line, in order."""
    line = next(line for line in message.splitlines() if line.rstrip().endswith("make run"))
    command = line.split(":", 1)[1].strip()
    assert command.endswith(" make run"), line
    assignments = command.removesuffix(" make run").split()
    assert all(re.fullmatch(r"[A-Z][A-Z0-9_]*=\d+", each) for each in assignments), command
    return {name: int(port) for name, port in (each.split("=") for each in assignments)}


def test_the_suggested_command_keeps_the_ports_the_user_chose(held_port: int):
    chosen = {name: 19000 + number for number, name in enumerate(ALL_VARIABLES)}
    chosen["MOTO_PORT"] = held_port

    message = explain(HOST, [BusyPort("MOTO_PORT", held_port, ())], chosen)

    command = suggested_command(message)
    assert sorted(command) == sorted(ALL_VARIABLES)
    assert {name: port for name, port in command.items() if name != "MOTO_PORT"} == {
        name: port for name, port in chosen.items() if name != "MOTO_PORT"
    }
    assert command["MOTO_PORT"] != held_port
    assert command["MOTO_PORT"] not in chosen.values()
    assert is_free(HOST, command["MOTO_PORT"])


def test_every_busy_port_moves_to_a_distinct_free_port(held_port: int):
    with socket.socket() as second_squatter:
        second_squatter.bind((HOST, 0))
        second_squatter.listen()
        second_held = int(second_squatter.getsockname()[1])
        chosen = default_ports()
        chosen["API_PORT"] = held_port
        chosen["WEB_PORT"] = second_held
        busy = [BusyPort("API_PORT", held_port, ()), BusyPort("WEB_PORT", second_held, ())]

        command = suggested_command(explain(HOST, busy, chosen))

    assert sorted(command) == sorted(ALL_VARIABLES)
    assert len(set(command.values())) == len(ALL_VARIABLES)
    assert command["API_PORT"] not in (held_port, second_held)
    assert command["WEB_PORT"] not in (held_port, second_held)
    for name in set(ALL_VARIABLES) - {"API_PORT", "WEB_PORT"}:
        assert command[name] == chosen[name]
