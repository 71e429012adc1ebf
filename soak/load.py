"""The mixed load: owners applying, signing through their households' links and uploading;
the window accepting or asking for corrections and printing letters in batches; the departments
giving opinions and the lead approving; an API reader; and people reading pages, staff and public.

Every actor is a thread with its own sessions, pausing between steps as a person would; each
request and its answer go to the ledger (soak/client.py). Cases move from one actor to the next
through queues, as they move from desk to desk.
"""

from __future__ import annotations

import io
import queue
import random
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field

from .client import Balancer, Client
from .ledger import Ledger

PASSWORD = "jiati-demo-2026"  # nosec B105  # the demo's documented password
# The applicants of the soak's cases, made by the soak (`flask user create`); the demo's owner
# only reads pages, so that the pages measured show the same data from the first minute to the
# last.
OWNERS = (("13700000001", "周申请"), ("13700000002", "吴申请"))
READER = "13800000001"
COMMUNITY = "压测花园"  # every case the soak opens is in this community
THINK = (0.3, 1.2)  # seconds between one person's steps
MANAGEMENT_UNIT = {
    "kind": "property",
    "name": "枣阳市安居物业服务有限公司",
    "credit_code": "91420683MA4F0A1B2Y",
    "phone": "13907100088",
}
ROSTER = [("101", 1, "70.00", "陈桂兰"), ("201", 2, "70.00", "刘国强"), ("301", 3, "80.00", "李秀英"),
          ("401", 4, "80.00", "周志华"), ("501", 5, "90.00", "吴淑珍"), ("601", 6, "90.00", "郑喆")]  # fmt: skip


def pdf(title: str) -> bytes:
    """A small, valid, distinct PDF (a design plan, its corrected version)."""
    from pypdf import PdfWriter

    w = PdfWriter()
    w.add_blank_page(width=595, height=842)
    w.add_metadata({"/Title": title})
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


@dataclass
class Shared:
    """What the desks hand each other, and what readers pick from."""

    run: str = field(default_factory=lambda: uuid.uuid4().hex[:6])
    submitted: queue.Queue = field(default_factory=queue.Queue)
    review: queue.Queue = field(default_factory=queue.Queue)
    corrections: dict[str, queue.Queue] = field(
        default_factory=lambda: {phone: queue.Queue() for phone, _ in OWNERS}
    )
    owner_of: dict[int, str] = field(default_factory=dict)
    corrected: set[int] = field(default_factory=set)
    cases: list[int] = field(default_factory=list)
    links: deque = field(default_factory=lambda: deque(maxlen=200))  # signing tokens
    letters: deque = field(default_factory=lambda: deque(maxlen=400))  # (case, id, verify code)
    batches: list[int] = field(default_factory=list)
    numbers: iter = field(default_factory=lambda: iter(range(1, 10**6)))
    lock: threading.Lock = field(default_factory=threading.Lock)
    problems: list[str] = field(default_factory=list)  # what an actor could not make sense of

    def note(self, text: str) -> None:
        with self.lock:
            if len(self.problems) < 200:
                self.problems.append(text)


class Actor(threading.Thread):
    def __init__(self, name: str, balancer: Balancer, ledger: Ledger, shared: Shared,
                 stop: threading.Event, seed: int):  # fmt: skip
        super().__init__(name=name, daemon=True)
        self.balancer, self.ledger, self.shared, self.stop = balancer, ledger, shared, stop
        self.random = random.Random(seed)
        self.failure: BaseException | None = None

    def client(self, suffix: str = "") -> Client:
        return Client(self.name + suffix, self.balancer, self.ledger)

    def think(self, scale: float = 1.0) -> None:
        self.stop.wait(self.random.uniform(*THINK) * scale)

    def run(self) -> None:
        try:
            self.setup()
            while not self.stop.is_set():
                self.step()
        except BaseException as exc:  # noqa: BLE001 - reported by the soak as a miss
            self.failure = exc

    def setup(self) -> None:
        pass

    def step(self) -> None:
        raise NotImplementedError

    # -- acts on a case, each one ledgered with the audit event it must leave

    def fire(self, api: Client, case_id: int, trigger: str, body=None, target: str = "") -> bool:
        r = api.call("POST", f"/api/v1/cases/{case_id}/transitions/{trigger}", act=trigger,
                     case_id=case_id, json=body or {}, headers={"Prefer": "return=minimal"})  # fmt: skip
        if r is None:  # the answer was lost: the case says whether it was done
            return bool(target) and self.state(api, case_id) == target
        if r.status_code != 200:
            self.shared.note(f"{trigger} on #{case_id}: {r.status_code} {r.text[:200]}")
            return False
        for letter in r.json().get("letters") or ():
            with self.shared.lock:
                self.shared.letters.append((case_id, letter, None))
        return True

    def state(self, api: Client, case_id: int) -> str | None:
        r = api.call("GET", f"/api/v1/cases/{case_id}")
        return r.json()["state"] if r is not None and r.status_code == 200 else None


class Owner(Actor):
    """An applicant: opens a case, starts the consultation, has every household sign through
    its link, finishes the consultation, uploads the design plan and submits; answers the
    window's corrections with a new plan."""

    def __init__(self, phone: str, *args, **kwargs):
        super().__init__(f"owner-{phone[-1]}", *args, **kwargs)
        self.phone = phone

    def setup(self) -> None:
        self.api = self.client()
        self.api.api_login(self.phone, PASSWORD)
        self.public = self.client("-household")

    def step(self) -> None:
        try:
            case_id = self.shared.corrections[self.phone].get_nowait()
        except queue.Empty:
            self.new_case()
        else:
            self.correct(case_id)

    def new_case(self) -> None:
        n = next(self.shared.numbers)
        building = f"{self.shared.run}-{n}号楼"
        body = {
            "community": COMMUNITY,
            "street": "南城街道",
            "address": f"枣阳市南城街道压测路{n}号",
            "building": building,
            "unit": "1单元",
            "floors": 6,
            "households": [
                {
                    "room": room,
                    "floor": floor,
                    "area": area,
                    "owner_name": name,
                    "phone": f"139{n % 10000:04d}{i:04d}",
                }
                for i, (room, floor, area, name) in enumerate(ROSTER, start=1)
            ],  # fmt: skip
            "estimated_cost": "600000",
            "management_unit": MANAGEMENT_UNIT,
            "running_cost": "12000",
        }
        r = self.api.call("POST", "/api/v1/cases", act="case_created", json=body)
        if r is None:
            found = self.api.call("GET", f"/api/v1/cases?q={building}")
            items = found.json().get("items", []) if found is not None and found.ok else []
            if not items:
                return
            case_id = items[0]["id"]
        elif r.status_code != 201:
            self.shared.note(f"create: {r.status_code} {r.text[:200]}")
            return
        else:
            case_id = r.json()["id"]
            r.entry.case_id = case_id
        with self.shared.lock:
            self.shared.cases.append(case_id)
            self.shared.owner_of[case_id] = self.phone
        self.think()
        if not self.fire(self.api, case_id, "start_consultation", target="consultation"):
            return
        self.think()
        r = self.api.call("GET", f"/api/v1/cases/{case_id}/signing-links")
        if r is None or r.status_code != 200:
            return
        links = r.json()["links"]
        for link in links:
            with self.shared.lock:
                self.shared.links.append(link["token"])
            self.sign(case_id, link)
            self.think(0.5)
        if self.stop.is_set():
            return
        if not self.fire(self.api, case_id, "finish_consultation", {"place": "单元门口公告栏"},
                         target="publicity"):  # fmt: skip
            return
        self.think()
        if not self.upload(case_id, f"设计方案 {case_id}"):
            return
        self.think()
        if self.fire(self.api, case_id, "submit", target="submitted"):
            self.shared.submitted.put(case_id)

    def sign(self, case_id: int, link: dict) -> None:
        token = link["token"]
        r = self.public.call(
            "POST", f"/api/v1/sign/{token}", act="vote", case_id=case_id,
            json={"owner_name": link["owner_name"], "phone_tail": link["phone"][-4:],
                  "choice": "agree", "signature": link["owner_name"]},
        )  # fmt: skip
        if r is not None and r.status_code != 200:
            self.shared.note(f"sign on #{case_id}: {r.status_code} {r.text[:200]}")

    def upload(self, case_id: int, title: str) -> bool:
        r = self.api.call(
            "PUT", f"/api/v1/cases/{case_id}/documents/design_plan", act="upload", case_id=case_id,
            files={"file": ("design-plan.pdf", pdf(f"{title} {uuid.uuid4().hex}"), "application/pdf")},
        )  # fmt: skip
        if r is None:
            return False
        if r.status_code != 201:
            self.shared.note(f"upload on #{case_id}: {r.status_code} {r.text[:200]}")
        return r.status_code == 201

    def correct(self, case_id: int) -> None:
        if self.upload(case_id, f"设计方案（补正） {case_id}"):
            self.think()
            if self.fire(self.api, case_id, "resubmit", target="submitted"):
                self.shared.submitted.put(case_id)


class Clerk(Actor):
    """The window: accepts a submitted case, or (once a case, now and then) asks for corrections
    naming the design plan; every few acceptances prints the latest letters as one batch."""

    def setup(self) -> None:
        self.api = self.client()
        self.api.api_login("clerk", PASSWORD)
        self.web = self.client("-web")
        self.web.web_login("clerk", PASSWORD)
        self.accepted = 0

    def step(self) -> None:
        try:
            case_id = self.shared.submitted.get(timeout=1)
        except queue.Empty:
            return
        self.think()
        if case_id not in self.shared.corrected and self.random.random() < 0.25:
            body = {"items": [{"document": "design_plan", "text": "设计方案缺少结构安全评估章节"}]}
            if self.fire(self.api, case_id, "request_correction", body, target="correction"):
                self.shared.corrected.add(case_id)
                self.shared.corrections[self.shared.owner_of[case_id]].put(case_id)
            return
        if self.fire(self.api, case_id, "accept", target="review"):
            self.shared.review.put(case_id)
            self.accepted += 1
            if self.accepted % 6 == 0:
                self.print_batch()

    def print_batch(self) -> None:
        with self.shared.lock:
            ids = [letter for _, letter, _ in list(self.shared.letters)[-6:]]
        if not ids:
            return
        token = self.web.csrf("/staff/letters")
        r = self.web.call("POST", "/letters/batch", act="batch",
                          data={"csrf_token": token, "letter_ids": ids})  # fmt: skip
        if r is None or r.status_code != 303:
            return
        batch_id = int(r.headers["Location"].rstrip("/").split("/")[-1])
        with self.shared.lock:
            self.shared.batches.append(batch_id)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not self.stop.is_set():
            status = self.web.call("GET", f"/letters/batch/{batch_id}.json")
            if (
                status is not None
                and status.ok
                and status.json().get("state") in ("done", "failed")
            ):
                if status.json()["state"] == "done":
                    self.web.call("GET", f"/letters/batch/{batch_id}.pdf")
                return
            self.stop.wait(1)


class Approvers(Actor):
    """The three departments give their opinions on a case in review; the lead (住建) approves."""

    def setup(self) -> None:
        self.apis = {}
        for dept in ("housing", "planning", "market"):
            self.apis[dept] = self.client(f"-{dept}")
            self.apis[dept].api_login(dept, PASSWORD)

    def step(self) -> None:
        try:
            case_id = self.shared.review.get(timeout=1)
        except queue.Empty:
            return
        for api in self.apis.values():
            self.think()
            r = api.call("POST", f"/api/v1/cases/{case_id}/opinions", act="opinion",
                         case_id=case_id, json={"verdict": "agree", "comment": "符合要求"})  # fmt: skip
            if r is not None and r.status_code != 201:
                self.shared.note(f"opinion on #{case_id}: {r.status_code} {r.text[:200]}")
        self.think()
        self.fire(self.apis["housing"], case_id, "approve", target="approved")


class ApiReader(Actor):
    """An API client reading: the list, a case, its history, a letter's PDF, a verification."""

    def setup(self) -> None:
        self.api = self.client()
        self.api.api_login("clerk", PASSWORD)
        self.public = self.client("-public")

    def step(self) -> None:
        with self.shared.lock:
            cases = list(self.shared.cases[-30:])
            letters = list(self.shared.letters)
        pick = self.random.random()
        if pick < 0.25 or not cases:
            self.api.call("GET", "/api/v1/cases?per_page=20")
        elif pick < 0.5:
            self.api.call("GET", f"/api/v1/cases/{self.random.choice(cases)}")
        elif pick < 0.65:
            self.api.call("GET", f"/api/v1/cases/{self.random.choice(cases)}/history")
        elif pick < 0.85 and letters:
            case_id, letter_id, _ = self.random.choice(letters)
            self.api.call("GET", f"/api/v1/cases/{case_id}/letters/{letter_id}")
        elif pick < 0.95:
            self.api.call("GET", "/api/v1/workflow")
        else:
            self.public.call("GET", "/api/v1/track?reference=ZY-NONE&phone_tail=0000")
        self.think()


class Pages(Actor):
    """People reading pages: the window's and the departments' lists and cases, an owner's own
    pages, and the public ones (tracking, projects, ratings, the guide, a signing link)."""

    def setup(self) -> None:
        self.clerk = self.client("-clerk")
        self.clerk.web_login("clerk", PASSWORD)
        self.housing = self.client("-housing")
        self.housing.web_login("housing", PASSWORD)
        self.owner = self.client("-owner")
        self.owner.web_login(READER, PASSWORD)
        self.owner.api_login(READER, PASSWORD)
        mine = self.owner.call("GET", "/api/v1/cases?per_page=50")
        self.mine = [c["id"] for c in mine.json()["items"]] if mine is not None else []
        self.public = self.client("-public")

    def step(self) -> None:
        with self.shared.lock:
            cases = list(self.shared.cases[-30:])
            links = list(self.shared.links)
        choices = [
            (self.clerk, "/staff/"),
            (self.clerk, "/staff/letters"),
            (self.housing, "/staff/review"),
            (self.owner, "/my/"),
            (self.public, "/auth/welcome"),
            (self.public, "/track"),
            (self.public, "/projects"),
            (self.public, "/ratings"),
            (self.public, "/guide"),
        ]
        if cases:
            choices.append((self.clerk, f"/staff/cases/{self.random.choice(cases)}"))
        if self.mine:
            choices.append((self.owner, f"/my/cases/{self.random.choice(self.mine)}"))
        if links:
            choices.append((self.public, f"/sign/{self.random.choice(links)}"))
        who, path = self.random.choice(choices)
        r = who.call("GET", path)
        if r is not None and r.status_code != 200:
            self.shared.note(f"GET {path}: {r.status_code}")
        self.think(0.3)


def actors(
    balancer: Balancer, ledger: Ledger, shared: Shared, stop: threading.Event
) -> list[Actor]:
    common = (balancer, ledger, shared, stop)
    return [
        Owner(OWNERS[0][0], *common, seed=1),
        Owner(OWNERS[1][0], *common, seed=2),
        Clerk("clerk", *common, seed=3),
        Approvers("approvers", *common, seed=4),
        ApiReader("api-reader", *common, seed=5),
        Pages("pages-1", *common, seed=6),
        Pages("pages-2", *common, seed=7),
        Pages("pages-3", *common, seed=8),
    ]
