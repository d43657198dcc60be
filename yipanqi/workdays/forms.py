"""The schedule form of the calendar page; the rules live in schedule.py and changes.py."""

import json

from django import forms
from django.utils.translation import gettext_lazy as _

from yipanqi.workdays.schedule import ScheduleError, YearSchedule, parse_schedule

MAX_UPLOAD_BYTES = 256 * 1024


class ScheduleForm(forms.Form):
    way = forms.ChoiceField(
        choices=[
            ("paste", _("Paste the schedule")),
            ("file", _("Upload a schedule file")),
            ("package", _("Use the chinese-calendar package's data")),
        ],
        initial="paste",
        widget=forms.RadioSelect,
        label=_("Where the schedule comes from"),
    )
    year = forms.IntegerField(
        required=False,
        min_value=1900,
        max_value=2200,
        label=_("Year (for the package's data)"),
    )
    text = forms.CharField(
        required=False,
        max_length=100_000,
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false", "class": "mono"}),
        label=_("Schedule (JSON)"),
    )
    upload = forms.FileField(required=False, label=_("Schedule file (JSON, UTF-8)"))

    def clean(self):
        data = super().clean()
        way = data.get("way")
        if way == "package":
            if not data.get("year"):
                self.add_error("year", _("Please enter the year, e.g. 2027."))
            return data
        if way == "file":
            upload = data.get("upload")
            if upload is None:
                self.add_error("upload", _("Please choose the schedule file."))
                return data
            if upload.size > MAX_UPLOAD_BYTES:
                self.add_error(
                    "upload", _("The file is too large for a schedule (256 KB at most).")
                )
                return data
            try:
                raw = upload.read().decode("utf-8")
            except UnicodeDecodeError:
                self.add_error("upload", _("The file is not UTF-8 text."))
                return data
            data["source_name"] = upload.name[:200]
        else:
            raw = data.get("text") or ""
            if not raw.strip():
                self.add_error("text", _("Please paste the schedule."))
                return data
            data["source_name"] = ""
        field = "upload" if way == "file" else "text"
        try:
            schedules = parse_schedule(json.loads(raw))
        except json.JSONDecodeError as exc:
            self.add_error(
                field,
                _("This is not valid JSON (line %(line)s, column %(column)s): %(error)s")
                % {"line": exc.lineno, "column": exc.colno, "error": exc.msg},
            )
            return data
        except ScheduleError as exc:
            self.add_error(field, str(exc))
            return data
        if len(schedules) != 1:
            self.add_error(field, _("Please load one year at a time, to see what each changes."))
            return data
        data["schedule"] = schedules[0]
        return data


def schedule_to_text(schedule: YearSchedule) -> str:
    return json.dumps(schedule.as_json(), ensure_ascii=False)


class ConfirmForm(forms.Form):
    """The schedule the preview showed, sent back to be stored (validated again)."""

    schedule = forms.CharField(widget=forms.HiddenInput, max_length=100_000)

    def clean_schedule(self) -> YearSchedule:
        try:
            schedules = parse_schedule(json.loads(self.cleaned_data["schedule"]))
        except (json.JSONDecodeError, ScheduleError) as exc:
            raise forms.ValidationError(str(exc)) from None
        if len(schedules) != 1:
            raise forms.ValidationError(_("Please load one year at a time."))
        return schedules[0]
