"""Known submissions for 09_seq2seq_attention, as patches over the perfect student.

Grade ids: E = test_encoder, A = test_additive_attention, D = test_dot_attention,
S = test_decoder_step, L = test_translation_loss, G = test_greedy_decode, B = test_beam_search,
V = test_evaluate.
"""

from testing.variants import Patch, alternative, disguised, mutant

E, A, D, S = "test_encoder", "test_additive_attention", "test_dot_attention", "test_decoder_step"
L, G, B, V = "test_translation_loss", "test_greedy_decode", "test_beam_search", "test_evaluate"

ENCODER = '''
        lengths = mask.sum(dim=1).cpu()  # pack_padded_sequence wants the lengths on the CPU
        packed = nn.utils.rnn.pack_padded_sequence(self.embedding(source), lengths,
                                                   batch_first=True, enforce_sorted=False)
        states, last = self.gru(packed)  # last: (2, batch, hidden), forward and backward
        states, _ = nn.utils.rnn.pad_packed_sequence(states, batch_first=True,
                                                     total_length=source.shape[1])
        start = torch.tanh(self.bridge(torch.cat([last[0], last[1]], dim=-1)))
        return states, start
'''.strip("\n")
MASKING = (
    "        scores = scores.masked_fill(~mask, -math.inf)  # padding: exp(-inf) = 0\n"
    "        weights = torch.softmax(scores, dim=-1)\n"
)
ADDITIVE = '''
        hidden = torch.tanh(self.W_q(query).unsqueeze(1) + self.W_k(keys))  # (batch, steps, a)
        scores = self.v(hidden).squeeze(-1)  # (batch, steps)
        scores = scores.masked_fill(~mask, -math.inf)  # padding: exp(-inf) = 0
        weights = torch.softmax(scores, dim=-1)
        context = torch.bmm(weights.unsqueeze(1), values).squeeze(1)  # (batch, value_size)
        return context, weights
'''.strip("\n")
DOT = '''
    scores = queries @ keys.transpose(1, 2) / math.sqrt(queries.shape[-1])
    scores = scores.masked_fill(~mask.unsqueeze(1), -math.inf)  # the same mask for every query
    weights = torch.softmax(scores, dim=-1)
    return weights @ values, weights
'''.strip("\n")
STEP = (
    "        state = self.cell(torch.cat([self.embedding(token), context], dim=-1), state)\n"
    "        logits = self.head(torch.cat([state, context], dim=-1))\n"
)
LOSS_END = (
    "    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), target[:, 1:].reshape(-1),\n"
    "                           ignore_index=PAD)"
)
TEACHER = (
    "    for t in range(target.shape[1] - 1):\n"
    "        step_logits, state, _ = model.step(target[:, t], state, memory, memory_mask)\n"
    "        logits.append(step_logits)\n"
)
GREEDY_BODY = '''
    with torch.no_grad():
        memory, memory_mask, state = model.encode(source, source_mask)
        batch = source.shape[0]
        token = torch.full((batch,), START, device=source.device)
        done = torch.zeros(batch, dtype=torch.bool, device=source.device)
        log_probs = torch.zeros(batch, device=source.device)
        ids = [[] for _ in range(batch)]
        for _ in range(max_len):
            logits, state, _ = model.step(token, state, memory, memory_mask)
            log_p = torch.log_softmax(logits, dim=-1)
            token = log_p.argmax(dim=-1)
            log_probs += torch.where(done, 0.0, log_p.gather(1, token[:, None])[:, 0])
            for row in range(batch):
                if not done[row] and token[row] != END:
                    ids[row].append(int(token[row]))
            done |= token == END
            if done.all():
                break
    return ids, log_probs
'''.strip("\n")
BEST = "max(finished, key=lambda hyp: hyp[1] / len(hyp[0]))"
BLEU = "    bleu = sacrebleu.corpus_bleu(predictions, [references]).score\n"

MUTANTS = [
    mutant("encoder_no_packing", "runs the bidirectional GRU over the padding too", {E},
           Patch("encoder", old=ENCODER,
                 new="        states, last = self.gru(self.embedding(source))\n"
                     "        start = torch.tanh(self.bridge(torch.cat([last[0], last[1]], "
                     "dim=-1)))\n"
                     "        return states, start"),
           hint="pack the batch"),
    mutant("additive_mask_after_softmax",
           "zeroes the padded weights after the softmax, so the others no longer add up to 1",
           {A}, Patch("additive_attention", old=MASKING,
                      new="        weights = torch.softmax(scores, dim=-1) * mask\n")),
    mutant("additive_zero_score_for_padding", "gives padded positions a score of 0, not -inf",
           {A}, Patch("additive_attention", old="scores.masked_fill(~mask, -math.inf)",
                      new="scores.masked_fill(~mask, 0.0)")),
    mutant("dot_unscaled", "forgets to divide the scores by sqrt(d)", {D},
           Patch("dot_attention", old=" / math.sqrt(queries.shape[-1])", new="")),
    mutant("decoder_logits_from_old_state", "predicts from the state before the GRU step", {S},
           Patch("decoder_step", old=STEP,
                 new="        logits = self.head(torch.cat([state, context], dim=-1))\n"
                     "        state = self.cell(torch.cat([self.embedding(token), context], "
                     "dim=-1), state)\n"),
           hint="the logits are computed from the old state"),
    mutant("loss_counts_padding", "averages the loss over the PAD positions too", {L},
           Patch("translation_loss", old=LOSS_END,
                 new="    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), "
                     "target[:, 1:].reshape(-1))"),
           hint="the PAD positions are counted"),
    mutant("loss_feeds_own_guesses", "feeds the model its own guesses, not the true tokens",
           {L}, Patch("translation_loss", old=TEACHER,
                      new="    token = target[:, 0]\n"
                          "    for t in range(target.shape[1] - 1):\n"
                          "        step_logits, state, _ = model.step(token, state, memory, "
                          "memory_mask)\n"
                          "        logits.append(step_logits)\n"
                          "        token = step_logits.argmax(dim=-1)\n"),
           hint="not the model's own guesses"),
    mutant("greedy_goes_past_end", "keeps writing a row's tokens after its END", {G},
           Patch("greedy_decode", old="if not done[row] and token[row] != END:",
                 new="if token[row] != END:"),
           hint="the row goes on after END"),
    mutant("beam_raw_log_prob", "returns the finished hypothesis of best total log-probability",
           {B}, Patch("beam_search", old=BEST, new="max(finished, key=lambda hyp: hyp[1])"),
           hint="not by the total"),
    mutant("bleu_sentence_mean", "averages sentence BLEU scores instead of corpus BLEU", {V},
           Patch("evaluate", old=BLEU,
                 new="    bleu = sum(sacrebleu.sentence_bleu(p, [r]).score\n"
                     "               for p, r in zip(predictions, references)) / "
                     "len(references)\n")),
]

ALTERNATIVES = [
    alternative(
        "fused_einsum", "one fused projection of query and keys, masks by torch.where, "
        "torch.einsum everywhere",
        Patch("additive_attention", old=ADDITIVE, new='''
        steps = keys.shape[1]
        pairs = torch.cat([query.unsqueeze(1).expand(-1, steps, -1), keys], dim=-1)
        fused = torch.cat([self.W_q.weight, self.W_k.weight], dim=1)  # (a, query + key)
        hidden = torch.tanh(torch.einsum("bsi,ai->bsa", pairs, fused))
        scores = torch.einsum("bsa,a->bs", hidden, self.v.weight[0])
        weights = torch.softmax(torch.where(mask, scores, float("-inf")), dim=-1)
        return torch.einsum("bs,bsd->bd", weights, values), weights'''.strip("\n")),
        Patch("dot_attention", old=DOT, new='''
    scores = torch.einsum("bqd,bkd->bqk", queries, keys) * queries.shape[-1] ** -0.5
    scores = torch.where(mask[:, None, :], scores, torch.finfo(scores.dtype).min)
    weights = scores.softmax(dim=-1)
    return torch.einsum("bqk,bkv->bqv", weights, values), weights'''.strip("\n")),
        Patch("decoder_step", old="        logits = self.head(torch.cat([state, context], "
                                  "dim=-1))\n",
              new="        size = state.shape[-1]\n"
                  "        logits = (state @ self.head.weight[:, :size].T + context @ "
                  "self.head.weight[:, size:].T\n"
                  "                  + self.head.bias)\n"),
    ),
    alternative(
        "float64_inside", "attention, loss and decoding computed in float64, cast back",
        Patch("additive_attention", old=ADDITIVE, new='''
        q = query.double() @ self.W_q.weight.double().T
        k = keys.double() @ self.W_k.weight.double().T
        scores = torch.tanh(q.unsqueeze(1) + k) @ self.v.weight.double()[0]
        scores = scores.masked_fill(~mask, -math.inf)
        weights = torch.softmax(scores, dim=-1)
        context = (weights.unsqueeze(-1) * values.double()).sum(dim=1)
        return context.to(values.dtype), weights.to(values.dtype)'''.strip("\n")),
        Patch("translation_loss", old=LOSS_END,
              new="    flat = logits.reshape(-1, logits.shape[-1]).double()\n"
                  "    return F.cross_entropy(flat, target[:, 1:].reshape(-1), "
                  "ignore_index=PAD).float()"),
        Patch("greedy_decode", old="log_p = torch.log_softmax(logits, dim=-1)",
              new="log_p = torch.log_softmax(logits.double(), dim=-1)"),
        Patch("greedy_decode", old="log_probs = torch.zeros(batch, device=source.device)",
              new="log_probs = torch.zeros(batch, dtype=torch.float64, device=source.device)"),
    ),
    alternative(
        "distributions", "torch.distributions.Categorical for the loss, greedy decoding and "
        "beam search's log-probabilities",
        Patch("translation_loss", old=LOSS_END, new='''
    expected = target[:, 1:]
    nll = -torch.distributions.Categorical(logits=logits).log_prob(expected)
    return nll[expected != PAD].mean()'''.strip("\n")),
        Patch("greedy_decode", old="            log_p = torch.log_softmax(logits, dim=-1)\n"
                                   "            token = log_p.argmax(dim=-1)\n"
                                   "            log_probs += torch.where(done, 0.0, "
                                   "log_p.gather(1, token[:, None])[:, 0])\n",
              new="            choice = torch.distributions.Categorical(logits=logits)\n"
                  "            token = choice.mode\n"
                  "            log_probs += torch.where(done, 0.0, choice.log_prob(token))\n"),
        Patch("beam_search", old="log_p = torch.log_softmax(logits[0], dim=-1).tolist()",
              new="log_p = torch.distributions.Categorical(logits=logits[0]).logits.tolist()"),
    ),
    alternative(
        "keras_dot", "dot-product attention in keras.ops, through NumPy and back",
        Patch("dot_attention", old=DOT, new='''
    q, k, v = (keras.ops.convert_to_tensor(t.detach().cpu().numpy())
               for t in (queries, keys, values))
    scores = keras.ops.matmul(q, keras.ops.transpose(k, (0, 2, 1))) / math.sqrt(q.shape[-1])
    scores = keras.ops.where(mask.cpu().numpy()[:, None, :], scores, -np.inf)
    weights = keras.ops.softmax(scores, axis=-1)
    context = keras.ops.matmul(weights, v)
    return (torch.tensor(keras.ops.convert_to_numpy(context)),
            torch.tensor(keras.ops.convert_to_numpy(weights)))'''.strip("\n")),
    ),
    alternative(
        "one_at_a_time", "encodes and decodes one sentence at a time; beam search with every "
        "hypothesis in one batch",
        Patch("encoder", old=ENCODER, new='''
        states = self.bridge.weight.new_zeros(*source.shape, 2 * self.gru.hidden_size)
        starts = []
        for row in range(source.shape[0]):
            length = int(mask[row].sum())
            outputs, last = self.gru(self.embedding(source[row:row + 1, :length]))
            states[row, :length] = outputs[0]
            starts.append(torch.cat([last[0, 0], last[1, 0]]))
        return states, torch.tanh(self.bridge(torch.stack(starts)))'''.strip("\n")),
        Patch("greedy_decode", old=GREEDY_BODY, new='''
    ids, log_probs = [], []
    with torch.no_grad():
        for row in range(source.shape[0]):
            one, one_mask = source[row:row + 1], source_mask[row:row + 1]
            memory, memory_mask, state = model.encode(one, one_mask)
            token, written, total = torch.tensor([START], device=source.device), [], 0.0
            for _ in range(max_len):
                logits, state, _ = model.step(token, state, memory, memory_mask)
                log_p = torch.log_softmax(logits[0], dim=-1)
                token = log_p.argmax()[None]
                total += float(log_p[token])
                if int(token) == END:
                    break
                written.append(int(token))
            ids.append(written)
            log_probs.append(total)
    return ids, torch.tensor(log_probs, device=source.device)'''.strip("\n")),
        Patch("beam_search", new='''
def beam_search(model, source, width, max_len):
    """The best translation of one source by length-normalised log-probability: (ids, score)."""
    with torch.no_grad():
        source = source[None]
        memory, memory_mask, state = model.encode(source, source != PAD)
        hypotheses, totals, finished = [[]], torch.zeros(1), []
        for _ in range(max_len):
            count = len(hypotheses)
            last = torch.tensor([h[-1] if h else START for h in hypotheses])
            logits, state, _ = model.step(last, state, memory.expand(count, -1, -1),
                                          memory_mask.expand(count, -1))
            scores = (totals[:, None] + torch.log_softmax(logits, dim=-1)).flatten()
            kept, kept_totals, rows = [], [], []
            for index in scores.topk(width).indices.tolist():
                row, token = divmod(index, logits.shape[-1])
                if token == END:
                    finished.append((hypotheses[row] + [token], float(scores[index])))
                else:
                    kept.append(hypotheses[row] + [token])
                    kept_totals.append(float(scores[index]))
                    rows.append(row)
            if len(finished) >= width:
                break
            hypotheses, totals, state = kept, torch.tensor(kept_totals), state[rows]
        else:
            finished += list(zip(hypotheses, totals.tolist()))
    tokens, total = max(finished, key=lambda pair: pair[1] / len(pair[0]))
    return (tokens[:-1] if tokens[-1] == END else tokens), total / len(tokens)'''),
    ),
]

# Submissions that compute a task with the framework layer it forbids, spelled so that the
# review's text scan cannot see it: the runtime watch must flag the probe that ran it.
DISGUISED = [
    disguised(
        "multihead_attention_from_vars",
        "AdditiveAttention.forward computes tanh(W_q q + W_k k) itself, then lets PyTorch's "
        "MultiheadAttention, looked up in vars(nn) and made on the meta device, score it "
        "against v, mask, softmax and average the values, through torch.func.functional_call "
        "with projections that reduce its dot product to v . hidden",
        {A: "MultiheadAttention"},
        Patch("additive_attention", old=ADDITIVE, new='''
        hidden = torch.tanh(self.W_q(query).unsqueeze(1) + self.W_k(keys))  # (batch, steps, a)
        a, size = hidden.shape[-1], values.shape[-1]
        width = a + size  # wider than keys and values: the layer keeps a projection for each
        attention = vars(nn)["Multihead" + "Attention"](
            width, 1, bias=False, kdim=a, vdim=size, batch_first=True, device="meta")
        # The layer scores (q_proj q) . (k_proj hidden_j) / sqrt(width): a query of
        # sqrt(width) on axis 0 and v in the first row of k_proj leave v . hidden_j.
        eye = torch.eye(width, device=hidden.device)
        projections = {"q_proj_weight": eye, "out_proj.weight": eye,
                       "k_proj_weight": torch.cat([self.v.weight,
                                                   hidden.new_zeros(width - 1, a)]),
                       "v_proj_weight": eye[:, :size]}  # the values pass through
        q = hidden.new_zeros(query.shape[0], 1, width)
        q[..., 0] = math.sqrt(width)
        context, weights = torch.func.functional_call(
            attention, projections, (q, hidden, values), {"key_padding_mask": ~mask})
        return context[:, 0, :size], weights[:, 0]
'''.strip("\n")),
    ),
    disguised(
        "fused_attention_by_built_name",
        "dot_product_attention calls F.scaled_dot_product_attention, found through getattr "
        "with a joined name, twice: on the values for the context, and on an identity matrix "
        "for the weights",
        {D: "scaled_dot_product_attention"},
        Patch("dot_attention", old=DOT, new='''
    attend = getattr(F, "scaled_dot_" + "product_attention")
    allowed = mask.unsqueeze(1)  # (batch, 1, steps): the same mask for every query
    # averaging the rows of an identity matrix gives back the weights themselves
    eye = torch.eye(keys.shape[1], dtype=values.dtype, device=values.device)
    weights = attend(queries, keys, eye.expand(keys.shape[0], -1, -1), attn_mask=allowed)
    return attend(queries, keys, values, attn_mask=allowed), weights
'''.strip("\n")),
    ),
]

# The known students (testing.known_class) that `make demo` shows in these rows.
DEMO = {
    "typical_bug_1": "mutant_encoder_no_packing",
    "typical_bug_2": "mutant_beam_raw_log_prob",
    "different_but_right": "alt_fused_einsum",
}
