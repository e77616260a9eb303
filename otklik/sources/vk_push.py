"""Registering otklik's push URL as a VK community's Callback API server (API 5.199).

With a community token that has the "manage" right: `groups.getCallbackConfirmationCode` (the
string the URL must answer VK's handshake with), `groups.addCallbackServer` (the URL, a title and
our secret key) and `groups.setCallbackSettings` (which events, in which API version). Without
that right, a person does the same by hand under Manage → API usage → Callback API and gives the
code to `otklik push connect --confirmation`.
"""

from __future__ import annotations

from otklik.sources.errors import BadResponse
from otklik.sources.vk import API_VERSION, VKSource

TITLE = "otklik"  # VK allows 14 characters
EVENTS = ("wall_reply_new", "wall_reply_edit", "wall_reply_restore", "wall_reply_delete",
          "wall_post_new", "wall_repost", "message_new")


async def confirmation_code(source: VKSource, group_id: int) -> str:
    response = await source.call_obj("groups.getCallbackConfirmationCode", token="group_token",
                                     group_id=group_id)
    code = response.get("code")
    if not code:
        raise BadResponse("vk: groups.getCallbackConfirmationCode gave no code", network="vk")
    return str(code)


async def add_server(source: VKSource, group_id: int, url: str, secret: str) -> int:
    """Add the URL (VK then sends it the handshake) and turn on the desk's events; returns the
    server id."""
    added = await source.call_obj("groups.addCallbackServer", token="group_token",
                                  group_id=group_id, url=url, title=TITLE, secret_key=secret)
    if "server_id" not in added:
        raise BadResponse("vk: groups.addCallbackServer gave no server_id", network="vk")
    server_id = int(added["server_id"])
    flags = {event: 1 for event in EVENTS}
    await source.call("groups.setCallbackSettings", token="group_token", group_id=group_id,
                      server_id=server_id, api_version=API_VERSION, **flags)
    return server_id


async def remove_server(source: VKSource, group_id: int, server_id: int) -> None:
    """Take otklik's URL off the community's Callback API servers (the wall is polled again)."""
    await source.call("groups.deleteCallbackServer", token="group_token", group_id=group_id,
                      server_id=server_id)
