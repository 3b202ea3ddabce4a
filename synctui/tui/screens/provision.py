"""Provision on demand: pick one source object (search the job's own source by name, or give an id),
run it in a worker, and show the steps (Import, Scoping, Matching, Export) and the exported attributes."""

from __future__ import annotations

import json
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import (
    Button,
    Header,
    Input,
    Label,
    LoadingIndicator,
    OptionList,
    Select,
    Static,
)
from textual.widgets.option_list import Option

from ...service import JobSummary, SourceObject, SyncService, on_demand_summary
from ..dialogs.log_entry import entry_header, modified_table, steps_table
from ..messages import JobActionFailed, show_failure
from ..widgets.footer import ResponsiveFooter


class ProvisionScreen(Screen[None]):
    BINDING_GROUP_TITLE = "Provision on demand"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="provision.back", tooltip="Back to the jobs"),
        Binding("ctrl+r", "provision", "Provision", id="provision.run", tooltip="Provision the chosen object now"),
    ]

    class ObjectsLoaded(Message):
        """The objects of the job's source that match the search."""

        def __init__(self, objects: list[SourceObject]) -> None:
            super().__init__()
            self.objects = objects

    class Provisioned(Message):
        """The object's provisioning log entry: the result (`key`) and the entry itself."""

        def __init__(self, key: dict[str, Any], entry: dict[str, Any]) -> None:
            super().__init__()
            self.key, self.entry = key, entry

    def __init__(self, service: SyncService, summary: JobSummary) -> None:
        super().__init__()
        self.service = service
        self.summary = summary
        self.objects: list[SourceObject] = []
        self.chosen: SourceObject | None = None
        self.result: tuple[dict[str, Any], dict[str, Any]] | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="provision-body"):
            with Vertical(id="provision-pick"):
                yield Label(f"Provision on demand — {self.summary.name}", classes="title", markup=False)
                yield Label("Search the source directory by name, or paste an object id:")
                yield Input(placeholder="name, UPN or id", id="provision-search")
                yield OptionList(id="provision-results")
                with Horizontal(classes="buttons"):
                    yield Select(
                        [("User", "User"), ("Group", "Group")], value="User", allow_blank=False, id="provision-type"
                    )
                    yield Button("Provision", id="provision-run", variant="primary")
            with VerticalScroll(id="provision-result"):
                yield Static(
                    Text(
                        "Choose an object and press Provision (ctrl+r). Nothing else in the "
                        "job runs; the object is evaluated and exported now.",
                        style="dim",
                    ),
                    id="provision-output",
                )
                yield LoadingIndicator(id="provision-busy")
        yield ResponsiveFooter()

    def on_mount(self) -> None:
        self.query_one("#provision-busy").display = False
        self.query_one("#provision-search", Input).focus()
        self.load_objects("")

    @work(thread=True, exclusive=True, exit_on_error=False, group="search")
    def load_objects(self, text: str) -> None:
        """The job's own source, searched (an HR job offers its workers, not the tenant's users)."""
        try:
            objects = self.service.source_objects(self.summary.job.id or "", text)
        except Exception as error:  # noqa: BLE001 - shown on the screen and as a toast
            self.post_message(JobActionFailed("Searching the source", error))
            return
        self.post_message(self.ObjectsLoaded(objects))

    @on(ObjectsLoaded)
    def _objects_loaded(self, message: ObjectsLoaded) -> None:
        self.objects = message.objects
        results = self.query_one("#provision-results", OptionList)
        results.clear_options()
        results.add_options([Option(o.label, id=f"{o.object_type}:{o.id}") for o in self.objects])
        if self.objects:
            results.highlighted = 0

    @on(Input.Changed, "#provision-search")
    def _search(self, event: Input.Changed) -> None:
        self.chosen = None
        self.load_objects(event.value)

    @on(Input.Submitted, "#provision-search")
    def _submitted(self) -> None:
        self.action_provision()

    @on(OptionList.OptionHighlighted)
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self.chosen = self._object(event.option.id)

    @on(OptionList.OptionSelected)
    def _option_selected(self, event: OptionList.OptionSelected) -> None:
        self.chosen = self._object(event.option.id)
        self.action_provision()

    def _object(self, option_id: str | None) -> SourceObject | None:
        for obj in self.objects:
            if f"{obj.object_type}:{obj.id}" == option_id:
                return obj
        return None

    @on(Button.Pressed, "#provision-run")
    def _run(self) -> None:
        self.action_provision()

    def action_provision(self) -> None:
        results = self.query_one("#provision-results", OptionList)
        typed = self.query_one("#provision-search", Input).value.strip()
        if results.option_count and results.highlighted is not None:
            option = results.get_option_at_index(results.highlighted)
            self.chosen = self._object(option.id)
        if self.chosen is not None:
            object_id, object_type = self.chosen.id, self.chosen.object_type
        elif typed:
            object_id, object_type = typed, str(self.query_one("#provision-type", Select).value)
        else:
            self.notify("Choose an object or type its id", severity="warning")
            return
        self.query_one("#provision-busy").display = True
        self.query_one("#provision-output", Static).update(Text(f"Provisioning {object_type} {object_id}…"))
        self.provision(object_id, object_type)

    @work(thread=True, exclusive=True, exit_on_error=False, group="provision")
    def provision(self, object_id: str, object_type: str) -> None:
        try:
            pair = self.service.provision_on_demand(self.summary.job.id or "", object_id, object_type)
            if pair.key is None or pair.value is None:  # Graph's pair type has optional halves
                raise ValueError("provisioning on demand returned no object")
            key, entry = json.loads(pair.key), json.loads(pair.value)
        except Exception as error:  # noqa: BLE001 - shown on the screen and as a toast
            self.post_message(JobActionFailed("Provision on demand", error))
            return
        self.post_message(self.Provisioned(key, entry))

    @on(JobActionFailed)
    def _failed(self, message: JobActionFailed) -> None:
        self.query_one("#provision-busy").display = False
        show_failure(self.query_one("#provision-output", Static), message)

    @on(Provisioned)
    def _done(self, message: Provisioned) -> None:
        key, entry = message.key, message.entry
        self.query_one("#provision-busy").display = False
        self.result = (key, entry)
        result = str(key.get("result") or "?")
        style = {"Success": "bold green", "Failure": "bold red", "Skipped": "yellow"}.get(result, "yellow")
        from rich.console import Group

        parts: list[Any] = [Text(f"Result: {result}", style=style)]
        if (key.get("details") or {}).get("errorCode") or result == "Failure":
            parts.append(Text(on_demand_summary(key), style="red" if result == "Failure" else ""))
        parts.append(entry_header(entry))
        if entry.get("provisioningSteps"):
            parts.append(steps_table(entry["provisioningSteps"]))
        if entry.get("modifiedProperties"):
            parts.append(modified_table(entry["modifiedProperties"], "Exported attributes"))
        self.query_one("#provision-output", Static).update(Group(*parts))
        self.app.notify(f"Provision on demand: {result}", severity="information" if result == "Success" else "warning")

    def action_back(self) -> None:
        self.dismiss(None)
