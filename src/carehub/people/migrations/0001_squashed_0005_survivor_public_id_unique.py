"""People migrations 0001_initial to 0005_survivor_public_id_unique in one, for a fresh database (`replaces` below). A
database that applied the old ones keeps them, and Django then counts this one as applied too; keep their files until
every database has migrated past them (the release that removes them points the dependencies on them here). Made with
Django's squashmigrations optimiser, then fields, indexes and constraints folded into the CreateModel that makes
their table; tests/test_migrations_squashed.py checks that what this builds is what the old migrations built, on
SQLite and PostgreSQL.

Data migrations left out, as they have nothing to do here (a squash is only applied to a database on which none of
the migrations it replaces ran, so their tables are new and empty): 0004 (RunPython) gave every existing survivor a
public id.

0006 and 0007 stay as they were: 0006 depends on repeats 0005, which depends on people 0002.
"""

import carehub.core.public_ids
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    replaces = [('people', '0001_initial'), ('people', '0002_survivor_person'), ('people', '0003_survivor_public_id'), ('people', '0004_survivor_public_id_fill'), ('people', '0005_survivor_public_id_unique')]

    initial = True

    dependencies = [
    ]

    operations = [
        migrations.CreateModel(
            name='DataKey',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('wrapped', models.BinaryField(null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('rotated_at', models.DateTimeField(blank=True, null=True)),
                ('destroyed_at', models.DateTimeField(blank=True, null=True)),
            ],
        ),
        migrations.CreateModel(
            name='Survivor',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('identity_sealed', models.BinaryField()),
                ('email_lookup', models.CharField(blank=True, db_index=True, max_length=64)),
                ('phone_lookup', models.CharField(blank=True, db_index=True, max_length=64)),
                ('name_dob_lookup', models.CharField(blank=True, db_index=True, max_length=64)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('ethnicity', models.CharField(blank=True, choices=[('asian_bangladeshi', 'Asian or Asian British: Bangladeshi'), ('asian_chinese', 'Asian or Asian British: Chinese'), ('asian_indian', 'Asian or Asian British: Indian'), ('asian_pakistani', 'Asian or Asian British: Pakistani'), ('asian_other', 'Asian or Asian British: any other Asian background'), ('black_african', 'Black, Black British, Caribbean or African: African'), ('black_caribbean', 'Black, Black British, Caribbean or African: Caribbean'), ('black_other', 'Black, Black British, Caribbean or African: any other Black background'), ('mixed_white_asian', 'Mixed or multiple ethnic groups: White and Asian'), ('mixed_white_black_african', 'Mixed or multiple ethnic groups: White and Black African'), ('mixed_white_black_caribbean', 'Mixed or multiple ethnic groups: White and Black Caribbean'), ('mixed_other', 'Mixed or multiple ethnic groups: any other Mixed or multiple background'), ('white_british', 'White: English, Welsh, Scottish, Northern Irish or British'), ('white_irish', 'White: Irish'), ('white_gypsy_traveller', 'White: Gypsy or Irish Traveller'), ('white_roma', 'White: Roma'), ('white_other', 'White: any other White background'), ('other_arab', 'Other ethnic group: Arab'), ('other_any', 'Other ethnic group: any other ethnic group'), ('prefer_not_to_say', 'Prefer not to say')], max_length=40)),
                ('sex', models.CharField(blank=True, choices=[('female', 'Female'), ('male', 'Male'), ('prefer_not_to_say', 'Prefer not to say')], max_length=20)),
                ('gender_same_as_sex', models.CharField(blank=True, choices=[('yes', 'Yes'), ('no', 'No'), ('prefer_not_to_say', 'Prefer not to say')], max_length=20)),
                ('gender_identity', models.CharField(blank=True, choices=[('woman', 'Woman'), ('man', 'Man'), ('trans_woman', 'Trans woman'), ('trans_man', 'Trans man'), ('non_binary', 'Non-binary'), ('other', 'Another gender identity'), ('prefer_not_to_say', 'Prefer not to say')], max_length=20)),
                ('sexual_orientation', models.CharField(blank=True, choices=[('straight', 'Straight or heterosexual'), ('gay_lesbian', 'Gay or lesbian'), ('bisexual', 'Bisexual'), ('pansexual', 'Pansexual'), ('asexual', 'Asexual'), ('queer', 'Queer'), ('other', 'Another sexual orientation'), ('prefer_not_to_say', 'Prefer not to say')], max_length=20)),
                ('disability', models.CharField(blank=True, choices=[('limited_a_lot', 'Yes, limited a lot'), ('limited_a_little', 'Yes, limited a little'), ('no', 'No'), ('prefer_not_to_say', 'Prefer not to say')], max_length=20)),
                ('religion', models.CharField(blank=True, choices=[('no_religion', 'No religion'), ('christian', 'Christian'), ('buddhist', 'Buddhist'), ('hindu', 'Hindu'), ('jewish', 'Jewish'), ('muslim', 'Muslim'), ('sikh', 'Sikh'), ('other', 'Any other religion'), ('prefer_not_to_say', 'Prefer not to say')], max_length=20)),
                ('pregnancy', models.CharField(blank=True, choices=[('pregnant', 'Pregnant'), ('baby_under_18_months', 'Had a baby in the last 18 months'), ('neither', 'Neither'), ('prefer_not_to_say', 'Prefer not to say')], max_length=30)),
                ('first_language', models.CharField(blank=True, max_length=10)),
                ('interpreter_needed', models.BooleanField(blank=True, null=True)),
                ('immigration_status', models.CharField(blank=True, choices=[('british_irish', 'British or Irish citizen'), ('settled', 'Settled (indefinite leave or EU Settlement Scheme settled status)'), ('euss_pre_settled', 'EU Settlement Scheme pre-settled status'), ('limited_leave', 'Limited leave with recourse to public funds'), ('limited_leave_nrpf', 'Limited leave with No Recourse to Public Funds'), ('asylum_seeker', 'Asylum seeker'), ('refugee', 'Refugee or humanitarian protection'), ('no_current_leave', 'No current leave'), ('unknown', 'Not known'), ('prefer_not_to_say', 'Prefer not to say')], max_length=30)),
                ('migrant_concession_applied', models.BooleanField(default=False)),
                ('migrant_concession_granted', models.BooleanField(default=False)),
                ('ilr_domestic_abuse_applied', models.BooleanField(default=False)),
                ('support_for_migrant_victims_referral', models.BooleanField(default=False)),
                ('erased_at', models.DateTimeField(blank=True, null=True)),
                ('data_key', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='survivor', to='people.datakey')),
                ('person', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='people.survivor')),
                ('public_id', models.CharField(default=carehub.core.public_ids.new_public_id, editable=False, max_length=12, unique=True)),
            ],
            options={
                'indexes': [models.Index(fields=['ethnicity'], name='people_surv_ethnici_921403_idx'), models.Index(fields=['created_at'], name='people_surv_created_a68d11_idx')],
            },
        ),
        # PostgreSQL: the unique constraints' names as the replaced migrations' AlterField gave them.
        migrations.RunPython(carehub.core.public_ids.unique_named_as_altered('people', 'Survivor'), migrations.RunPython.noop),
    ]
