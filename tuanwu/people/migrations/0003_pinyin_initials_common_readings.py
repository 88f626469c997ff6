"""Recompute the pinyin search column: initials now come from each character's common reading
(and a surname's own reading), not every rare reading (tuanwu.core.pinyin.name_tokens)."""

from django.db import migrations


def recompute(apps, schema_editor):
    from tuanwu.core.pinyin import search_text

    Person = apps.get_model("people", "Person")
    batch = []
    for pk, name, old in Person.objects.order_by().values_list("pk", "name", "name_pinyin").iterator(chunk_size=5000):
        new = search_text(name)
        if new != old:
            batch.append(Person(pk=pk, name_pinyin=new))
        if len(batch) >= 5000:
            Person.objects.bulk_update(batch, ["name_pinyin"])
            batch = []
    if batch:
        Person.objects.bulk_update(batch, ["name_pinyin"])


class Migration(migrations.Migration):
    dependencies = [("people", "0002_blind_index_base64")]
    operations = [migrations.RunPython(recompute, migrations.RunPython.noop, elidable=True)]
