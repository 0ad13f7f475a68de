/**
 * Request/response keyed by id (src/shared/protocol/requests.ts): a reply settles the request of
 * its id only, errors and silence reject, and the answering side replies with the asker's id.
 */
import * as assert from 'assert';
import { RequestClient, answerRequest, type RequestMessage, type ResponseMessage } from '../../src/shared/protocol/requests';

type Methods = {
  double: { params: number; result: number };
  fail: { params: string; result: never };
};

describe('protocol requests (ids)', function () {
  /** A client whose requests queue up until `answerAll` answers them with `answerRequest`. */
  function pair() {
    const sent: RequestMessage<Methods>[] = [];
    const client = new RequestClient<Methods>((m) => sent.push(m));
    const replies: ResponseMessage<Methods>[] = [];
    const answerAll = async () => {
      for (const m of sent.splice(0)) {
        await answerRequest<Methods>(m, { double: (n) => n * 2, fail: (why) => Promise.reject(new Error(why)) }, (r) => replies.push(r));
      }
      return replies.splice(0);
    };
    return { client, sent, answerAll };
  }

  it('settles each request with the reply that carries its id, whatever the order', async function () {
    const { client, sent, answerAll } = pair();
    const a = client.request('double', 2, 1000);
    const b = client.request('double', 5, 1000);
    assert.deepStrictEqual(sent.map((m) => [m.type, m.method, m.params]), [['request', 'double', 2], ['request', 'double', 5]]);
    const ids = sent.map((m) => m.id);
    assert.notStrictEqual(ids[0], ids[1]);
    const replies = await answerAll();
    assert.deepStrictEqual(replies.map((r) => [r.id, r.ok]), [[ids[0], true], [ids[1], true]], 'a reply carries its request id');
    for (const r of replies.reverse()) assert.strictEqual(client.settle(r), true);
    assert.deepStrictEqual(await Promise.all([a, b]), [4, 10]);
    assert.strictEqual(client.settle(replies[0]), false, 'a reply settles its request once');
  });

  it("rejects with the handler's error, ignores replies to nobody, and times out", async function () {
    const { client, answerAll } = pair();
    const failing = client.request('fail', 'no photo', 1000);
    const [reply] = await answerAll();
    assert.strictEqual(reply.ok, false);
    assert.strictEqual(client.settle({ ...reply, id: reply.id + 100 }), false);
    client.settle(reply);
    await assert.rejects(failing, /fail failed in the webview: no photo/);
    await assert.rejects(client.request('double', 1, 20), /no reply to request \d+ \(double\) within 20 ms/);
  });

  it('rejects what is still waiting when disposed', async function () {
    const { client } = pair();
    const waiting = client.request('double', 1, 10_000);
    client.dispose('the panel was closed');
    await assert.rejects(waiting, /abandoned: the panel was closed/);
  });
});
