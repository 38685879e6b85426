"""Use cases over the engine contract (:mod:`ringfence.engines.base`): ``simulate`` (a
draft policy beside the live one) and ``what_if`` (changed holdings). They take an
engine and typed values, and return typed reports; reading files and printing are the
entry points' and adapters' work."""

from ringfence.usecases.simulate import Flip, SimulationReport, simulate
from ringfence.usecases.whatif import WhatIf, what_if

__all__ = ["Flip", "SimulationReport", "WhatIf", "simulate", "what_if"]
