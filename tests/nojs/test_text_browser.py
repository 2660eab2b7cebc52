"""A text browser reads no.js: ``lynx -dump`` of a room's messages view shows the messages (and where the
view goes next), and of the form page shows the form."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.nojs.live import LiveChatter, signed_up
from tests.support.servers import Endpoint, require_binary


def lynx_dump(url: str, config: Path) -> str:
    """What ``lynx -dump`` shows of ``url``, with the configuration ``config`` (its cookies)."""
    done = subprocess.run(
        ["lynx", "-dump", "-width=100", f"-cfg={config}", "-noredir", url],
        capture_output=True,
        text=True,
        timeout=20,
        check=True,
    )
    return done.stdout


def signed_in_config(client: LiveChatter, folder: Path) -> Path:
    """Lynx's configuration with the client's cookies (a session of the same account), in Netscape's format."""
    cookies = folder / "cookies.txt"
    lines = [f"127.0.0.1\tFALSE\t/\tFALSE\t2147483647\t{name}\t{value}" for name, value in client.cookies.items()]
    cookies.write_text("\n".join(lines) + "\n")
    config = folder / "lynx.cfg"
    config.write_text(
        f"INCLUDE:/etc/lynx/lynx.cfg\nPERSISTENT_COOKIES:TRUE\nCOOKIE_FILE:{cookies}\nACCEPT_ALL_COOKIES:TRUE\n"
    )
    return config


def test_lynx_reads_the_messages_and_the_form(nojs: Endpoint, room: str, tmp_path: Path) -> None:
    require_binary("lynx", "lynx")
    ann = signed_up(nojs, "ann")
    assert ann.say("Hello, text browser", room=room).status_code == 303
    config = signed_in_config(ann, tmp_path)
    view = lynx_dump(f"{nojs.url}/rooms/{room}/messages", config)
    assert "Hello, text browser" in view and f"{ann.name} joined" in view
    assert "REFRESH(0 sec):" in view and f"/rooms/{room}/messages?cursor=" in view  # where it goes next
    form = lynx_dump(f"{nojs.url}/rooms/{room}/say", config)
    assert f"Message to #{room}" in form and "Send" in form
