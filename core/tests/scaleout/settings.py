"""Production settings with localstripe standing in for Stripe: the two-host test's only
departure from `config.settings.production`.

Production refuses to start when Stripe is a stand-in on this machine (thrive.E105 in
core/deploy_checks.py), and these checks are all-or-nothing (`REFUSE_PUBLISHED_SECRETS`). The
test writes a random SECRET_KEY and Stripe-shaped random keys into the environment file, and
checks with `config.settings.production` itself that E105 is the only refusal left
(test_deploy_files / the two-host fixture), so turning the refusal off here hides nothing else.
Never deploy with this module.
"""

from config.settings.production import *  # noqa: F403

REFUSE_PUBLISHED_SECRETS = False
