from django.urls import path

from . import views_desk, views_person

app_name = "helppoint"

urlpatterns = [
    # The person's side
    path("aide-guichet/", views_person.person, name="person"),
    path("aide-guichet/codes-papier/", views_person.paper, name="paper"),
    path("aide-guichet/terminer/", views_person.end, name="person_end"),
    # The advisor's side, at the desk
    path("guichet/", views_desk.desk, name="desk"),
    path("guichet/code/", views_desk.code, name="code"),
    path("guichet/choix/", views_desk.choose, name="choose"),
    path("guichet/sms/", views_desk.sms_code, name="sms"),
    path("guichet/aide/", views_desk.assist, name="assist"),
    path("guichet/aide/rappel/", views_desk.reminder, name="reminder"),
    path("guichet/aide/partage/", views_desk.share, name="share"),
    path("guichet/aide/import/", views_desk.import_file, name="import"),
    path("guichet/terminer/", views_desk.end, name="end"),
    path("guichet/compte/", views_desk.new_account, name="account_new"),
    path("guichet/compte/retrouver/", views_desk.recover, name="account_recover"),
    path("guichet/sortie/", views_desk.sign_out, name="sign_out"),
]
