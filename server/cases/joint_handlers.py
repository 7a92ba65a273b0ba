"""/staff/v1/cases/{case_id}/joint/...: pushing an accepted joint case to its departments, each
department's decision on its own step (approve, deny, return for a supplement), and the files a step
issues (joint_files.py).

Who may: the push is the comprehensive window's (of the case's domain) or the lead department's; a
step is its department's. Officers who see the case but lack the part get 403 joint_part_not_allowed;
others get 404 case_not_found, as for any case.
"""

from __future__ import annotations

from cms.content.errors import EmptyFile
from server.cases import joint, joint_files
from server.cases.staff_handlers import CASE_STATUS, OFFICER, OfficerHandler
from server.cases.staff_views import case_status
from server.http.api import Route, array, endpoint, integer, obj, string
from server.http.spooled_body import SpooledBodyHandler
from server.settings import Settings
from server.staff.roles import Role

_TAGS = ["cases (staff)", "joint approval"]
_TEXT = string(maxLength=2000)
_REASON = string(minLength=1, maxLength=2000, pattern=r"\S")
_STEP_ERRORS = (404, 409)
_STEP_OFFICER = (Role.OFFICER.value,)


class PushHandler(OfficerHandler):
    @endpoint("Push an accepted joint case to its departments: the steps without predecessors start",
              tags=_TAGS, auth="staff", roles=OFFICER, responses={200: CASE_STATUS}, errors=(404, 409),
              description="For the comprehensive window of the case's domain or the lead department. 409 "
                          "not_a_joint_case for a single-department case; 409 illegal_transition unless accepted.")
    async def post(self, case_id: str) -> None:
        self.write_case(await joint.push(self.deps, self.officer, case_id))


class StepApproveHandler(OfficerHandler):
    @endpoint("Approve one's department's step (opinion, issued document); the next steps start",
              tags=_TAGS, auth="staff", roles=_STEP_OFFICER,
              request=obj({"opinion": _TEXT, "result_name": string(maxLength=200),
                           "result_no": string(maxLength=100)}),
              responses={200: CASE_STATUS}, errors=_STEP_ERRORS,
              description="After the last step the case is approved (a system transition). 409 step_not_running "
                          "unless the step runs; 404 joint_step_not_found.")
    async def post(self, case_id: str, step_id: str) -> None:
        self.write_case(await joint.approve_step(
            self.deps, self.officer, case_id, step_id, opinion=self.body.get("opinion"),
            result_name=self.body.get("result_name"), result_no=self.body.get("result_no")))


class StepDenyHandler(OfficerHandler):
    @endpoint("Deny in one's department's step: the case is denied with this reason, open steps cancelled",
              tags=_TAGS, auth="staff", roles=_STEP_OFFICER, request=obj({"reason": _REASON}, required=["reason"]),
              responses={200: CASE_STATUS}, errors=_STEP_ERRORS)
    async def post(self, case_id: str, step_id: str) -> None:
        self.write_case(await joint.deny_step(self.deps, self.officer, case_id, step_id, self.body["reason"]))


class StepReturnHandler(OfficerHandler):
    @endpoint("Return the case for a supplement from one's step: every running clock stops",
              tags=_TAGS, auth="staff", roles=_STEP_OFFICER,
              request=obj({"reason": _REASON, "items": array(obj({
                  "slot_id": string(minLength=1, maxLength=40), "reason": _REASON}, required=["slot_id", "reason"]),
                  maxItems=100)}, required=["reason"]),
              responses={200: CASE_STATUS}, errors=_STEP_ERRORS,
              description="The items list the materials to supplement (一次性告知); the citizen's resubmission "
                          "goes straight back to the steps and resumes their clocks.")
    async def post(self, case_id: str, step_id: str) -> None:
        self.write_case(await joint.return_step(self.deps, self.officer, case_id, step_id,
                                                reason=self.body["reason"], items=self.body.get("items", [])))


_FILE_LINK = obj({"name": string(), "content_type": string(), "size": integer(minimum=0),
                  "url": string(description="Short-lived signed download link"),
                  "expires_in": integer(minimum=1, description="Seconds the link works")},
                 required=["name", "content_type", "size", "url", "expires_in"])


class StepFilesHandler(SpooledBodyHandler, OfficerHandler):
    @endpoint("Add a file to one's department's running step (the document it issues, a report)",
              tags=_TAGS, auth="staff", roles=_STEP_OFFICER, request=string(format="binary"),
              request_content_type="application/octet-stream",
              query={"filename": string(minLength=1, maxLength=200)}, required_query=("filename",),
              responses={201: CASE_STATUS}, errors=(400, 404, 409, 413, 415),
              description="Raw body, typed by its bytes: PDF, DOC, DOCX, XLS, XLSX, JPEG or PNG (415 "
                          "unsupported_file_type otherwise, 400 empty_file); at most MAX_UPLOAD_BYTES (413). "
                          f"At most {joint_files.MAX_STEP_FILES} per step (409 too_many_step_files). The later "
                          "steps and the window read it from the case's joint record.")
    async def post(self, case_id: str, step_id: str) -> None:
        path, size = self.spooled()
        if size == 0:
            raise EmptyFile()
        case = await joint_files.add_step_file(self.deps, self.officer, case_id, step_id, path,
                                               self.query["filename"])
        self.write_json(case_status(case, self.deps.clock.now()), 201)


class StepFileHandler(OfficerHandler):
    @endpoint("A short-lived download link of a step's file", tags=_TAGS, auth="staff", roles=OFFICER,
              responses={200: _FILE_LINK}, errors=(404,),
              description="For every officer who sees the case: the later steps, the window, the lead department.")
    async def get(self, case_id: str, step_id: str, file_id: str) -> None:
        self.write_json(await joint_files.step_file_link(self.deps, self.officer, case_id, step_id, file_id))

    @endpoint("Remove a file from one's department's running step", tags=_TAGS, auth="staff",
              roles=_STEP_OFFICER, responses={200: CASE_STATUS}, errors=_STEP_ERRORS,
              description="404 step_file_not_found; 409 step_not_running once the step decided.")
    async def delete(self, case_id: str, step_id: str, file_id: str) -> None:
        self.write_case(await joint_files.remove_step_file(self.deps, self.officer, case_id, step_id, file_id))


def routes(settings: Settings) -> list[Route]:
    base = "/staff/v1/cases/{case_id}/joint"
    return [
        Route(f"{base}/push", PushHandler),
        Route(f"{base}/steps/{{step_id}}/approve", StepApproveHandler),
        Route(f"{base}/steps/{{step_id}}/deny", StepDenyHandler),
        Route(f"{base}/steps/{{step_id}}/return", StepReturnHandler),
        Route(f"{base}/steps/{{step_id}}/files", StepFilesHandler),
        Route(f"{base}/steps/{{step_id}}/files/{{file_id}}", StepFileHandler),
    ]
