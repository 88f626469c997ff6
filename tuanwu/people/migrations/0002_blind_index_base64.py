"""Blind indexes were stored as hex HMAC digests; they are now URL-safe base64 (see
``tuanwu.core.crypto.blind_index`` for why). The digest itself is unchanged, so the stored
values are re-encoded in SQL without the key; a value already in base64 (43 characters) is
left alone, so the migration is safe to run on a partly converted table."""

from django.db import migrations

COLUMNS = ("id_number_index", "id_last4_index", "phone_index", "phone_last4_index")


def _sql(to_base64: bool) -> str:
    if to_base64:
        expr = "rtrim(translate(encode(decode({c}, 'hex'), 'base64'), '+/', '-_'), '=')"
        where = "length({c}) = 64"
    else:
        expr = "encode(decode(translate({c}, '-_', '+/') || '=', 'base64'), 'hex')"
        where = "length({c}) = 43"
    sets = ", ".join(f"{c} = CASE WHEN {where.format(c=c)} THEN {expr.format(c=c)} ELSE {c} END" for c in COLUMNS)
    touched = " OR ".join(where.format(c=c) for c in COLUMNS)
    return f"UPDATE people_person SET {sets} WHERE {touched}"


class Migration(migrations.Migration):

    dependencies = [("people", "0001_initial")]

    operations = [migrations.RunSQL(_sql(True), _sql(False))]
