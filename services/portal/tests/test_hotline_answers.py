"""Hotline answers (issue 17): the department a question is routed to finds it on 热线咨询 and answers it
(the treasury, the talent office, the financial office, a park for its own enterprises), the caller masked
as the registry answers; 待答复 / 已答复; an empty answer or a future date beside its field with the text
kept (422); another department's answer and a second answer refused in words, nothing changed; the
auditor reads without a form."""
from __future__ import annotations

import datetime as dt
import re

from services.portal.tests.helpers import a_park
from services.portal.tests.test_words import no_raw_code
from shared.clock import today
from shared.testing import make_uscc

PHONE, NAME = "138-1234-5678", "王小明"


async def ask(suite, uscc: str | None, category: str, question: str) -> dict:
    body = {"category": category, "question": question, "caller_phone": PHONE, "caller_name": NAME,
            **({"uscc": uscc} if uscc else {})}
    r = await suite.client("registry").post("/api/v1/hotline-questions", json=body)
    assert r.status_code == 201, r.text
    return r.json()


async def stored(suite, qid: int) -> dict:
    r = await suite.client("registry").get(f"/api/v1/hotline-questions/{qid}")
    assert r.status_code == 200, r.text
    return r.json()


def row(html: str, qid: int) -> str:
    m = re.search(rf'<tr id="hotline-{qid}">(.*?)</tr>', html, re.S)
    assert m, f"question {qid} not on the page"
    return m.group(1)


def beside(html: str, element_id: str) -> str:
    m = re.search(rf'<p [^>]*id="{element_id}"[^>]*>(.*?)</p>', html, re.S)
    assert m, f"nothing said at {element_id}"
    return m.group(1)


async def test_each_department_sees_its_own_questions_and_answers_one(portal, suite):
    park = await a_park(suite)
    firm = make_uscc()
    r = await suite.client("registry").post("/api/v1/enterprises", json={"uscc": firm, "name": "北京热线答复测试有限公司",
                                                                         "park_id": park["id"]})
    assert r.status_code == 201, r.text
    await suite.settled()
    asked = {dep: await ask(suite, firm, cat, f"{dep} 的问题：{cat} 何时办理？")
             for dep, cat in (("treasury", "subsidy"), ("talent", "talent"), ("finance", "finance"),
                              ("park", "land_space"), ("econ", "qualification"))}
    assert {d: q["department"] for d, q in asked.items()} == {d: d for d in asked}

    for dep, org in (("treasury", ""), ("talent", ""), ("finance", ""), ("park", park["id"])):
        q = asked[dep]
        await portal.login(dep, org)
        assert ">热线咨询<" in (await portal.http.get("/")).text  # in the menu
        page = (await portal.http.get("/hotline", params={"answered": "0"})).text
        mine = row(page, q["id"])
        assert "北京热线答复测试有限公司" in mine and q["question"] in mine
        assert f'action="/hotline/{q["id"]}/answer"' in mine
        assert "138****5678" in mine and "王**" in mine and PHONE not in page and NAME not in page  # masked
        if dep != "park":  # (the header names the signed-in park with its id)
            no_raw_code(page, "/hotline")
        for other, oq in asked.items():
            if other == dep:
                continue
            if dep == "park":  # a park reads its own enterprises' questions: others' without a form
                assert f'action="/hotline/{oq["id"]}/answer"' not in page
            else:  # a department's page holds its own department's questions
                assert f'id="hotline-{oq["id"]}"' not in page

        # An empty answer: said beside the text, the date typed kept; nothing sent.
        r = await portal.post(f"/hotline/{q['id']}/answer", {"answer": "  ", "answered_on": today().isoformat(),
                                                             "answered": "0", "next": "/hotline?answered=0"},
                              page="/hotline")
        assert r.status_code == 422, r.text
        assert "请填写答复内容" in beside(r.text, f"answer-text-err-{q['id']}")
        assert f'value="{today().isoformat()}"' in row(r.text, q["id"])
        # A date after today: the registry's refusal beside the date, the text typed kept.
        tomorrow = (today() + dt.timedelta(days=1)).isoformat()
        r = await portal.post(f"/hotline/{q['id']}/answer", {"answer": "请于五月关注通知。", "answered_on": tomorrow,
                                                             "answered": "0", "next": "/hotline?answered=0"},
                              page="/hotline")
        assert r.status_code == 422, r.text
        said = beside(r.text, f"answer-date-err-{q['id']}")
        assert re.search(r"[\u4e00-\u9fff]", said) and "answered_on" not in said and "body" not in said, said
        assert ">请于五月关注通知。</textarea>" in row(r.text, q["id"])
        assert not (await stored(suite, q["id"]))["answered"]

        text = f"{dep} 答复：已受理，请于五月关注通知。"
        r = await portal.post(f"/hotline/{q['id']}/answer", {"answer": text, "answered": "0", "form_id": f"a-{dep}",
                                                             "next": f"/hotline?answered=0#hotline-{q['id']}"},
                              page="/hotline")
        assert r.status_code == 303, r.text
        assert r.headers["location"] == f"/hotline?answered=0#hotline-{q['id']}"
        saved = await stored(suite, q["id"])
        assert saved["answered"] and saved["answer"] == text and saved["answered_on"] == today().isoformat()
        assert f'id="hotline-{q["id"]}"' not in (await portal.http.get("/hotline", params={"answered": "0"})).text
        done = row((await portal.http.get("/hotline", params={"answered": "1"})).text, q["id"])
        assert text in done and "已答复" in done

    # The lead bureau may answer a question routed to itself (and reads the caller in full).
    await portal.login("econ")
    page = (await portal.http.get("/hotline", params={"answered": "0", "department": "econ"})).text
    assert PHONE in row(page, asked["econ"]["id"]) and f'id="hotline-{asked["treasury"]["id"]}"' not in page
    r = await portal.post(f"/hotline/{asked['econ']['id']}/answer", {"answer": "资质认定请见申报通知。", "form_id": "a-econ",
                                                                     "next": "/hotline"}, page="/hotline")
    assert r.status_code == 303, r.text
    assert (await stored(suite, asked["econ"]["id"]))["answer"] == "资质认定请见申报通知。"


async def test_another_departments_answer_and_a_second_answer_are_refused_in_words(portal, suite):
    firm = make_uscc()
    assert (await suite.client("registry").post("/api/v1/enterprises", json={"uscc": firm, "name": "北京热线越权测试有限公司"})
            ).status_code == 201
    q = await ask(suite, firm, "talent", "落户指标如何使用？")
    assert q["department"] == "talent"

    await portal.login("treasury")  # the treasury's page does not offer it; posted anyway, refused in words
    assert f'id="hotline-{q["id"]}"' not in (await portal.http.get("/hotline")).text
    r = await portal.post(f"/hotline/{q['id']}/answer", {"answer": "财政局代答。", "next": "/hotline"}, page="/hotline")
    assert r.status_code == 403, r.text
    refused = row(r.text, q["id"])
    assert "未答复：" in refused and "该咨询由区人社局 / 区委人才办答复" in beside(refused, f"answer-err-{q['id']}")
    assert f'action="/hotline/{q["id"]}/answer"' not in refused and "not-owner" not in r.text
    assert not (await stored(suite, q["id"]))["answered"]

    other = await a_park(suite)  # a park that cannot read it at all: said above the list
    await portal.login("park", other["id"])
    r = await portal.post(f"/hotline/{q['id']}/answer", {"answer": "园区代答。", "next": "/hotline"}, page="/hotline")
    assert r.status_code == 404 and f'id="hotline-{q["id"]}"' not in r.text
    assert f"咨询 {q['id']} 未答复" in beside(r.text, f"answer-err-{q['id']}")
    assert not (await stored(suite, q["id"]))["answered"]

    await portal.login("talent")  # a day before the call: the registry's words beside the date, the text kept
    r = await portal.post(f"/hotline/{q['id']}/answer", {"answer": "请联系窗口。", "answered_on": "2000-01-01",
                                                         "next": "/hotline"}, page="/hotline")
    assert r.status_code == 422 and "答复日期须在咨询日期与今天之间" in beside(r.text, f"answer-date-err-{q['id']}")
    assert ">请联系窗口。</textarea>" in row(r.text, q["id"])
    r = await portal.post(f"/hotline/{q['id']}/answer", {"answer": "请联系区人才工作部门窗口。", "form_id": "t1",
                                                         "next": "/hotline"}, page="/hotline")
    assert r.status_code == 303, r.text
    # The lead bureau answers from a page it opened before: 409, said beside it, the first answer stands.
    await portal.login("econ")
    r = await portal.post(f"/hotline/{q['id']}/answer", {"answer": "经信局再答。", "next": "/hotline"}, page="/hotline")
    assert r.status_code == 409, r.text
    said = beside(row(r.text, q["id"]), f"answer-err-{q['id']}")
    assert "已于" in said and "答复" in said and "already" not in said
    assert "请联系区人才工作部门窗口。" in row(r.text, q["id"])
    assert (await stored(suite, q["id"]))["answer"] == "请联系区人才工作部门窗口。"


async def test_the_auditor_reads_without_a_form(portal, suite):
    firm = make_uscc()
    assert (await suite.client("registry").post("/api/v1/enterprises", json={"uscc": firm, "name": "北京热线审计测试有限公司"})
            ).status_code == 201
    q = await ask(suite, firm, "finance", "首贷贴息如何申请？")
    await portal.login("auditor")
    page = (await portal.http.get("/hotline")).text
    mine = row(page, q["id"])
    assert "首贷贴息如何申请？" in mine and "区金融服务办" in mine and "待答复" in mine
    assert "138****5678" in mine and PHONE not in page
    assert "<form" not in mine and 'method="post" action="/hotline"' not in page  # no answer, no record form
    r = await portal.post(f"/hotline/{q['id']}/answer", {"answer": "审计代答。"}, page="/hotline")
    assert r.status_code == 403 and "不能答复热线咨询" in r.text
    assert not (await stored(suite, q["id"]))["answered"]
    await portal.login("bank", "BOB")
    assert (await portal.http.get("/hotline")).status_code == 403
