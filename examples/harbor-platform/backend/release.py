"""Which release this process is, and what that release does.

One source tree serves every release of the example, as a feature-flagged codebase would: the
version Slipway starts it with (APP_VERSION="{version}") decides the behaviour.
  1.x    vessels and policies
  2.x    + the vessel's flag state (the column the 2.0.0 expand migration adds)
  3.x    + a cover type on every policy, but the release shipped without the migration that adds
         policies.cover_type: POST /api/quotes fails with 500 while /health stays 200, a bug only a
         canary that looks at real requests (or a probe) catches. HARBOR_COVER_TYPE=off ships it dark
         (3.x then behaves as 2.x), as the platform demo does to make another tier the one that fails.
"""

import os
import re

RELEASE = os.environ.get("APP_VERSION") or os.environ.get("SLIPWAY_RELEASE") or "dev"


def _major(version: str) -> int:
    match = re.match(r"^(\d+)\.", version)
    # "dev" (run by hand) behaves as the newest release that works.
    return int(match.group(1)) if match else 2


MAJOR = _major(RELEASE)
STORES_FLAG_STATE = MAJOR >= 2
STORES_COVER_TYPE = MAJOR >= 3 and os.environ.get("HARBOR_COVER_TYPE") != "off"
