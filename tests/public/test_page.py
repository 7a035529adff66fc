from __future__ import annotations

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from oila.common.dates import today
from oila.public import services
from oila.registry import services as registry
from oila.registry.models import Person
from tests.base import OilaTestCase
from tests.public.factories import family, photo, photo_consent, specialists, years_ago

URL = "/p/khorezm/"


class PublicPageTestCase(OilaTestCase):
    def setUp(self) -> None:
        super().setUp()
        cache.clear()  # a rolled-back test's version number may come again
        services.programme_publish(
            actor=self.frank,
            programme=self.programme,
            published=True,
            public_description="Families stay together.",
        )

    def lines(self) -> list[str]:
        response = self.client.get(URL)
        self.assertEqual(response.status_code, 200)
        return response.context["lines"]


class BeneficiaryLinesTests(PublicPageTestCase):
    def plant(self) -> None:
        # alice's household already has one girl enrolled as a vulnerable child (tests/base.py).
        family(self.alice, self.urganch, girls=5, boys=5, group="sos_child", kind="sos")
        family(self.alice, self.urganch, girls=2, boys=2)
        family(self.alice, self.urganch, girls=2, boys=1)
        family(self.alice, self.urganch, girls=1, boys=2)
        family(self.alice, self.urganch, girls=0, boys=1)
        family(self.alice, self.urganch, girls=5, boys=5, group="youth", age=19)
        specialists(self.frank, self.programme, 5)

    def test_it_shows_the_four_published_lines(self) -> None:
        self.plant()
        self.assertEqual(
            self.lines(),
            [
                "10 children (including 5 girls) in SOS families",
                "12 children (including 6 girls) from 5 vulnerable families",
                "10 young people (including 5 girls) looking for work",
                "5 child protection specialists",
            ],
        )

    def test_graduated_and_exited_people_were_reached_too(self) -> None:
        self.plant()
        enrolment = self.child.enrolments.get()
        registry.enrolment_set_status(actor=self.alice, enrolment=enrolment, status="graduated")
        self.assertIn("12 children (including 6 girls) from 5 vulnerable families", self.lines())

    def test_it_needs_no_sign_in_and_shows_the_description(self) -> None:
        response = self.client.get(URL)
        self.assertContains(response, "Families stay together.")
        self.assertContains(response, "Khorezm</h1>", html=False)

    def test_an_unpublished_or_unknown_programme_is_not_found(self) -> None:
        services.programme_publish(
            actor=self.frank, programme=self.programme, published=False, public_description=""
        )
        self.assertEqual(self.client.get(URL).status_code, 404)
        self.assertEqual(self.client.get("/p/nowhere/").status_code, 404)

    def test_only_a_manager_of_the_programme_publishes_it(self) -> None:
        from django.core.exceptions import PermissionDenied

        for user in (self.alice, self.erin, self.heidi):
            with self.subTest(user=user.username), self.assertRaises(PermissionDenied):
                services.programme_publish(
                    actor=user, programme=self.programme, published=False, public_description=""
                )

    def test_a_new_enrolment_shows_on_the_next_visit(self) -> None:
        self.plant()
        self.assertIn("10 children (including 5 girls) in SOS families", self.lines())
        with CaptureQueriesContext(connection) as cached:
            self.lines()
        household = family(self.alice, self.urganch, girls=1, boys=0, group="sos_child", kind="sos")
        self.assertIn("11 children (including 6 girls) in SOS families", self.lines())
        # The cached page reads the programme and nothing else of the data.
        tables = " ".join(q["sql"] for q in cached.captured_queries)
        self.assertNotIn("registry_enrolment", tables)
        # A change of sex through the service shows too.
        girl = Person.objects.get(memberships__household=household, sex="female")
        registry.person_update(actor=self.alice, person=girl, data={"sex": "male"})
        self.assertIn("11 children (including 5 girls) in SOS families", self.lines())

    def test_no_personal_data_reaches_the_page(self) -> None:
        self.plant()
        registry.person_update(
            actor=self.alice, person=self.child, data={"pinfl": "61405149876543"}
        )
        html = self.client.get(URL).content.decode()
        for text in ("Shahnoza", "Karimova", "Dilshod", "61405149876543", "Bola0", "Planted",
                     "Expertova", "Mutaxassis", "2014"):  # fmt: skip
            self.assertNotIn(text, html)

    def test_an_anonymous_visitor_switches_language(self) -> None:
        response = self.client.post("/i18n/setlang/", {"language": "ru", "next": URL})
        self.assertEqual(response.status_code, 302)
        page = self.client.get(URL)
        self.assertContains(page, '<html lang="ru">')
        self.assertContains(page, 'name="language"')


class SmallCellTests(PublicPageTestCase):
    def test_counts_below_the_threshold_are_not_published(self) -> None:
        family(self.alice, self.urganch, girls=2, boys=1, group="sos_child", kind="sos")
        family(self.alice, self.urganch, girls=2, boys=5, group="youth", age=19)
        specialists(self.frank, self.programme, 4)
        self.assertEqual(
            self.lines(),
            [
                "fewer than 5 children in SOS families",
                "fewer than 5 children from fewer than 5 vulnerable families",
                "7 young people (including fewer than 5 girls) looking for work",
                "fewer than 5 child protection specialists",
            ],
        )

    def test_girls_are_left_out_when_the_boys_would_be_a_small_cell(self) -> None:
        family(self.alice, self.urganch, girls=6, boys=2)
        family(self.alice, self.urganch, girls=0, boys=0)
        self.assertEqual(self.lines(), ["9 children from fewer than 5 vulnerable families"])

    def test_the_threshold_is_a_programme_setting(self) -> None:
        self.programme.settings = {"small_cell_threshold": 3}
        self.programme.save(update_fields=["settings"])
        family(self.alice, self.urganch, girls=2, boys=3, group="sos_child", kind="sos")
        self.assertEqual(
            self.lines()[0], "5 children (including fewer than 3 girls) in SOS families"
        )


class GalleryTests(PublicPageTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.father = Person.objects.get(memberships__household=self.household, sex="male")
        photo_consent(self.alice, self.father)
        self.consent = photo_consent(self.alice, self.child, given_by="caregiver")
        self.photo = photo(self.alice, self.programme, [self.father, self.child], "Homework club")
        self.file_url = f"{URL}photos/{self.photo.pk}/"

    def test_a_photo_whose_people_all_consent_is_shown(self) -> None:
        response = self.client.get(URL)
        self.assertContains(response, "Homework club")
        self.assertContains(response, self.file_url)
        image = self.client.get(self.file_url)
        self.assertEqual(image.status_code, 200)
        self.assertEqual(image["Content-Type"], "image/png")
        self.assertTrue(image.content.startswith(b"\x89PNG"))
        self.assertEqual(image["X-Content-Type-Options"], "nosniff")

    def test_a_withdrawn_consent_hides_the_photo_and_its_file(self) -> None:
        self.client.get(URL)  # cached with the photo
        registry.consent_withdraw(actor=self.alice, consent=self.consent, withdrawn_on=today())
        self.assertNotContains(self.client.get(URL), "Homework club")
        self.assertEqual(self.client.get(self.file_url).status_code, 404)

    def test_a_caregivers_consent_lapses_when_the_child_may_consent_herself(self) -> None:
        registry.person_update(
            actor=self.alice, person=self.child, data={"birth_date": years_ago(16)}
        )
        self.assertEqual(self.client.get(self.file_url).status_code, 404)
        photo_consent(self.alice, self.child)  # her own consent now
        self.assertEqual(self.client.get(self.file_url).status_code, 200)

    def test_a_person_without_photo_consent_keeps_the_photo_out(self) -> None:
        other = family(self.alice, self.urganch, girls=1, boys=0)
        girl = Person.objects.get(memberships__household=other, sex="female")
        second = photo(self.alice, self.programme, [self.father, girl], "Football")
        self.assertNotContains(self.client.get(URL), "Football")
        self.assertEqual(self.client.get(f"{URL}photos/{second.pk}/").status_code, 404)

    def test_an_unpublished_programme_serves_no_photo(self) -> None:
        services.programme_publish(
            actor=self.frank, programme=self.programme, published=False, public_description=""
        )
        self.assertEqual(self.client.get(self.file_url).status_code, 404)


class PhotoUploadTests(PublicPageTestCase):
    def test_it_refuses_what_is_not_a_photo(self) -> None:
        from django.core.files.base import ContentFile

        from oila.common.errors import ApplicationError

        for content in (b"%PDF-1.4 x", b"<svg onload='x'></svg>"):
            with self.subTest(content=content[:5]), self.assertRaises(ApplicationError):
                services.photo_upload(
                    actor=self.alice, programme=self.programme, file=ContentFile(content, "a.png"),
                    caption="x", subjects=[self.child],
                )  # fmt: skip

    def test_it_needs_a_caption_and_the_people_in_it(self) -> None:
        from oila.common.errors import ApplicationError
        from tests.public.factories import picture

        with self.assertRaises(ApplicationError):
            services.photo_upload(actor=self.alice, programme=self.programme, file=picture(),
                                  caption="", subjects=[self.child])  # fmt: skip
        with self.assertRaises(ApplicationError):
            services.photo_upload(actor=self.alice, programme=self.programme, file=picture(),
                                  caption="Club", subjects=[])  # fmt: skip

    def test_only_staff_who_see_the_people_upload(self) -> None:
        from django.core.exceptions import PermissionDenied

        from oila.common.errors import ApplicationError
        from tests.public.factories import picture

        with self.assertRaises(PermissionDenied):
            services.photo_upload(actor=self.erin, programme=self.programme, file=picture(),
                                  caption="Club", subjects=[self.child])  # fmt: skip
        with self.assertRaises(ApplicationError):  # alice's child is not carol's
            services.photo_upload(actor=self.carol, programme=self.programme, file=picture(),
                                  caption="Club", subjects=[self.child])  # fmt: skip

    def test_an_upload_is_audited_and_deleting_removes_it(self) -> None:
        from oila.audit.models import AuditEvent
        from oila.public.models import Photo

        photo_consent(self.alice, self.child, given_by="caregiver")
        picture = photo(self.alice, self.programme, [self.child])
        self.assertTrue(AuditEvent.objects.filter(action="photo.upload").exists())
        services.photo_delete(actor=self.alice, photo=picture)
        self.assertFalse(Photo.objects.exists())
        self.assertTrue(AuditEvent.objects.filter(action="photo.delete").exists())
        self.assertEqual(self.client.get(f"{URL}photos/{picture.pk}/").status_code, 404)


class PhotoManagementTests(PublicPageTestCase):
    def setUp(self) -> None:
        super().setUp()
        photo_consent(self.alice, self.child, given_by="caregiver")
        self.url = f"{URL}photos/"

    def test_staff_add_a_photo_of_people_with_consent(self) -> None:
        from tests.public.factories import picture

        self.client.force_login(self.alice)
        form = self.client.get(self.url)
        self.assertContains(form, "Shahnoza")  # her consent is current
        self.assertNotContains(form, "Dilshod")  # no photo consent: not offered
        response = self.client.post(
            self.url,
            {"file": picture(), "caption": "Reading club", "subjects": [str(self.child.pk)]},
        )
        self.assertRedirects(response, self.url)
        self.client.logout()
        self.assertContains(self.client.get(URL), "Reading club")

    def test_bad_input_is_refused_with_a_message(self) -> None:
        from django.core.files.base import ContentFile

        from oila.public.models import Photo

        self.client.force_login(self.alice)
        response = self.client.post(
            self.url,
            {"file": ContentFile(b"<svg/>", "x.png"), "caption": "Club",
             "subjects": [str(self.child.pk)]},
        )  # fmt: skip
        self.assertEqual(response.status_code, 422)
        self.assertContains(response, "Only photos", status_code=422)
        response = self.client.post(self.url, {"caption": "Club"})
        self.assertEqual(response.status_code, 422)
        self.assertFalse(Photo.objects.exists())

    def test_it_is_for_the_programmes_staff_only(self) -> None:
        for user in (self.dave, self.erin, self.grace, self.heidi):
            self.client.force_login(user)
            with self.subTest(user=user.username):
                self.assertEqual(self.client.get(self.url).status_code, 404)
        self.client.logout()
        self.assertEqual(self.client.get(self.url).status_code, 302)

    def test_a_photo_is_removed_with_its_file(self) -> None:
        picture = photo(self.alice, self.programme, [self.child], "Garden")
        self.client.force_login(self.bob)
        listing = self.client.get(self.url)
        self.assertContains(listing, "Garden")
        self.assertContains(listing, "1 person tagged")
        response = self.client.post(f"{URL}photos/{picture.pk}/delete/")
        self.assertRedirects(response, self.url)
        self.assertEqual(self.client.get(f"{URL}photos/{picture.pk}/").status_code, 404)
        self.client.force_login(self.dave)
        self.assertEqual(self.client.post(f"{URL}photos/{picture.pk}/delete/").status_code, 404)

    def test_the_public_page_links_staff_to_the_photos(self) -> None:
        self.client.force_login(self.carol)
        self.assertContains(self.client.get(URL), f'href="{self.url}"')
        self.client.force_login(self.erin)
        self.assertNotContains(self.client.get(URL), f'href="{self.url}"')
