"""What every test process needs, as an entry point would hand it in: the packaged name
dictionaries (``ringfence.packaged``)."""

from ringfence.packaged import use_packaged_dictionaries

use_packaged_dictionaries()
