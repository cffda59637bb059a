"""What members write is sealed under the group's key (carnet.vault.group_keys): the texts
already there are sealed, then their plaintext columns go."""

from django.db import migrations, models

# (model, plaintext column, context of its sealed text, path to the group's slug)
TEXTS = (
    ("thread", "title", "thread title", "group__slug"),
    ("post", "body", "post body", "thread__group__slug"),
    ("report", "reason", "report reason", "post__thread__group__slug"),
    ("moderationact", "reason", "moderation reason", "group__slug"),
)


def seal_existing(apps, schema_editor):
    from carnet.vault import group_keys

    for model_name, column, context, slug_path in TEXTS:
        model = apps.get_model("community", model_name)
        for pk, text, slug in model.objects.values_list("pk", column, slug_path).iterator():
            model.objects.filter(pk=pk).update(
                **{f"{column}_sealed": group_keys.seal_text(slug, text or "", context)}
            )


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0001_initial"),
    ]

    operations = [
        *(
            migrations.AddField(
                model_name=model_name,
                name=f"{column}_sealed",
                field=models.BinaryField(default=b""),
            )
            for model_name, column, _context, _slug in TEXTS
        ),
        migrations.RunPython(seal_existing, migrations.RunPython.noop),
        *(
            migrations.RemoveField(model_name=model_name, name=column)
            for model_name, column, _context, _slug in TEXTS
        ),
    ]
