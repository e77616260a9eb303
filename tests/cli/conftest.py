"""CLI tests of the desk commands run against brand desks served by local fake APIs."""

from tests.network_desk import net  # noqa: F401  (a fixture)
from tests.vk_desk import vk  # noqa: F401  (a fixture)
