import pytest
from cryptography.fernet import Fernet

from core import crypto
from core.fields import fingerprint


def test_encrypt_round_trip_and_ciphertext_hides_plaintext():
    token = "00Dxx0000000001!AR8AQsecret"
    ciphertext = crypto.encrypt(token)
    assert token not in ciphertext
    assert crypto.decrypt(ciphertext) == token


def test_rotation_first_key_encrypts_old_keys_still_decrypt(settings):
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [old_key]
    stored = crypto.encrypt("refresh-token")

    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    assert crypto.decrypt(stored) == "refresh-token"
    rotated = crypto.rotate(stored)

    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    assert crypto.decrypt(rotated) == "refresh-token"
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(stored)


def test_fingerprint_never_contains_the_secret():
    secret = "5Aep861TSESvWeug_xvFHRBTTbf_YrTWgEyjBJrOLJv"
    label = fingerprint(secret)
    assert secret[:6] not in label
    assert label.startswith("sha256:")
    assert fingerprint("") == "—"
