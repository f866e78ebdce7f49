"""Create many customer accounts with API tokens in one go, for the targeted-push scenario.

Run with the stack's environment (DATABASE_URL, ...) from the project root:
    python -m bench.seed_customers --count 10000 --out tokens.json
Writes the tokens, in order, as a JSON list.
"""

import argparse
import json
import os


def customers_create(count: int, stem: str) -> list[str]:
    """Create `count` non-staff users named `<stem>-<n>` and return their API tokens in order."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from rest_framework.authtoken.models import Token

    user_model = get_user_model()
    password = make_password(None)  # unusable: these accounts sign in by token only
    names = [f"{stem}-{n}" for n in range(count)]
    with transaction.atomic():
        user_model.objects.bulk_create(
            [user_model(username=name, password=password) for name in names], batch_size=2000
        )
        ids = dict(user_model.objects.filter(username__in=names).values_list("username", "id"))
        tokens = [Token(key=Token.generate_key(), user_id=ids[name]) for name in names]
        Token.objects.bulk_create(tokens, batch_size=2000)
    return [token.key for token in tokens]


def main() -> None:
    """Set Django up from the environment and write the tokens to --out."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--stem", default="bench-customer")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "takeout.settings")
    import django

    django.setup()
    with open(args.out, "w") as out:
        json.dump(customers_create(args.count, args.stem), out)


if __name__ == "__main__":
    main()
