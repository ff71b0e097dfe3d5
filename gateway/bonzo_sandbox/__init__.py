"""A local stand-in for Bonzo CRM (a sandbox, never Bonzo): the General inbound webhook,
the API v3 reads leadgate needs, event hooks, and fault injection.

It is the default Bonzo of ``leadgate dev`` and what tests and benchmarks deliver to.
"""

from gateway.bonzo_sandbox.app import create_sandbox_app
from gateway.bonzo_sandbox.config import (
    EventHookTarget,
    FaultPlan,
    SandboxCampaign,
    SandboxConfig,
    SandboxUser,
)
from gateway.bonzo_sandbox.server import RunningSandbox, running_sandbox, serve_sandbox
from gateway.bonzo_sandbox.service import BonzoSandbox

__all__ = [
    "BonzoSandbox",
    "EventHookTarget",
    "FaultPlan",
    "RunningSandbox",
    "SandboxCampaign",
    "SandboxConfig",
    "SandboxUser",
    "create_sandbox_app",
    "running_sandbox",
    "serve_sandbox",
]
