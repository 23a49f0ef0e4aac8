from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from villes2.accounts import second_factor


class Command(BaseCommand):
    help = (
        "Réinitialise la double authentification d’un compte (application et codes de "
        "secours) : à sa prochaine connexion, son titulaire configure une application."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="nom d’utilisateur du compte")

    def handle(self, *args, username, **options):
        try:
            user = get_user_model().objects.get_by_natural_key(username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"Aucun compte ne porte le nom « {username} ».") from None
        if second_factor.reset(user):
            self.stdout.write(
                f"Double authentification réinitialisée pour « {username} » : une "
                "application sera configurée à la prochaine connexion."
            )
        else:
            self.stdout.write(f"« {username} » n’avait pas de double authentification.")
