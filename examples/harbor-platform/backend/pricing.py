"""Calls the harbor-quote pricing service (Node) for a premium: POST {PRICING_URL}/quotes."""

import json
import os
import urllib.error
import urllib.request


class PricingError(Exception):
    """The pricing service could not give a premium; the message says why, for the 502 answer."""


def pricing_url() -> str:
    url = os.environ.get("PRICING_URL")
    if not url:
        raise SystemExit("harbor-platform backend: set PRICING_URL to the harbor-quote service (http://host:port)")
    return url.rstrip("/")


def premium_for(base_url: str, tonnage: int, vessel_class: str, route_risk: int) -> dict:
    """{"premium": 123.45, "currency": "USD", "release": "1.0.0"} from the pricing service."""
    body = json.dumps({"tonnage": tonnage, "vesselClass": vessel_class, "routeRisk": route_risk}).encode()
    request = urllib.request.Request(
        f"{base_url}/quotes", data=body, method="POST", headers={"content-type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            answer = json.load(response)
    except urllib.error.HTTPError as e:
        raise PricingError(f"pricing service answered {e.code}: {e.read()[:200].decode(errors='replace')}") from e
    except (urllib.error.URLError, TimeoutError, OSError) as e:
        raise PricingError(f"pricing service at {base_url} is unreachable: {e}") from e
    except ValueError as e:
        raise PricingError(f"pricing service answered something that is not JSON: {e}") from e
    if not isinstance(answer.get("premium"), (int, float)):
        raise PricingError(f"pricing service answered without a premium: {answer}")
    return {
        "premium": answer["premium"],
        "currency": answer.get("currency", "USD"),
        "release": answer.get("release", "unknown"),
    }
