"""Portal credentials per agency and cycle: usernames, one-time activation codes, passwords.

Only argon2id hashes are stored; a plaintext code lives only in the :class:`ActivationCode`
returned by :func:`issue_credentials`, for the letter or e-mail that carries it.
"""

from __future__ import annotations

from dgops.credentials.codes import (
    ACTIVATION_PROFILE,
    ALPHABET,
    PASSWORD_PROFILE,
    ActivationCode,
    HashProfile,
    new_activation_code,
)
from dgops.credentials.service import (
    ActivationResult,
    CredentialError,
    CredentialPolicy,
    IssuedCredential,
    IssueReport,
    PasswordPolicyError,
    issue_credentials,
    make_username,
    password_problems,
    set_password,
    verify_activation,
    verify_password,
)

__all__ = [
    "ACTIVATION_PROFILE",
    "ALPHABET",
    "PASSWORD_PROFILE",
    "ActivationCode",
    "ActivationResult",
    "CredentialError",
    "CredentialPolicy",
    "HashProfile",
    "IssueReport",
    "IssuedCredential",
    "PasswordPolicyError",
    "issue_credentials",
    "make_username",
    "new_activation_code",
    "password_problems",
    "set_password",
    "verify_activation",
    "verify_password",
]
