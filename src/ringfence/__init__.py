"""ringfence: ownership-based access control for AI model providers.

Layers (dependencies point inwards only):

* core: :mod:`ringfence.model`, :mod:`ringfence.policy`, :mod:`ringfence.exc`
* logic: :mod:`ringfence.attribution`, :mod:`ringfence.resolve`, :mod:`ringfence.decide`
* adapters: :mod:`ringfence.snapshot`, :mod:`ringfence.ingest`, :mod:`ringfence.store`,
  :mod:`ringfence.audit`, :mod:`ringfence.render`, :mod:`ringfence.engines`
* entry points: :mod:`ringfence.cli`, :mod:`ringfence.service`
"""

__version__ = "0.1.0"
__all__ = ["__version__"]
