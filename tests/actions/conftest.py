"""The actions' tests run against brand desks whose networks are served by local fake APIs."""

from tests.network_desk import net  # noqa: F401  (a fixture)
from tests.vk_desk import vk  # noqa: F401  (a fixture)
