"""Known submissions for 08_char_lm, as patches over the perfect student.

Grade ids: V = test_vocab, B = test_batches, M = test_char_model, L = test_loss_perplexity,
U = test_train_tbptt, S = test_sample.
"""

from testing.variants import Patch, alternative, mutant

V, B, M = "test_vocab", "test_batches", "test_char_model"
L, U, S = "test_loss_perplexity", "test_train_tbptt", "test_sample"

BATCH_ROWS = (
    "    x = ids[:batch_size * stream_len].reshape(batch_size, stream_len)\n"
    "    y = ids[1:batch_size * stream_len + 1].reshape(batch_size, stream_len)  # one step ahead\n"
    "    return [(x[:, k * seq_len:(k + 1) * seq_len], y[:, k * seq_len:(k + 1) * seq_len])\n"
    "            for k in range(n_batches)]"
)
LOSS = "return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))"
UPDATE = (
    "        loss.backward()\n"
    "        nn.utils.clip_grad_norm_(model.parameters(), max_norm)\n"
    "        optimizer.step()\n"
)
CLIP = "        nn.utils.clip_grad_norm_(model.parameters(), max_norm)\n"
DETACH = "        state = tuple(s.detach() for s in state)  # keep the values, drop the graph\n"
GREEDY = (
    "            if temperature == 0:\n"
    "                next_id = int(scores.argmax())\n"
    "            else:\n"
    "                scores = scores / temperature\n"
    "                if top_k is not None:\n"
    "                    kth_best = torch.topk(scores, top_k).values[-1]\n"
    "                    scores = scores.masked_fill(scores < kth_best, -math.inf)\n"
    "                probabilities = torch.softmax(scores, dim=-1)\n"
    "                next_id = int(torch.multinomial(probabilities, 1, generator=generator))\n"
)

MUTANTS = [
    # Task 1: the vocabulary
    mutant("vocab_first_appearance", "lists the characters in order of first appearance", {V},
           Patch("vocab", old="chars = sorted(set(text))",
                 new="chars = list(dict.fromkeys(text))")),
    mutant("vocab_chars_string", "returns the characters as one string instead of a list", {V},
           Patch("vocab", old="chars = sorted(set(text))",
                 new='chars = "".join(sorted(set(text)))'),
           hint="return them as a list"),
    mutant("vocab_ids_from_one", "starts the ids at 1, keeping 0 for padding as in lesson 06", {V},
           Patch("vocab", old="{char: i for i, char in enumerate(chars)}",
                 new="{char: i + 1 for i, char in enumerate(chars)}")),
    mutant("encode_int32", "encodes to int32, which F.cross_entropy refuses as targets", {V},
           Patch("vocab", old="dtype=torch.long)", new="dtype=torch.int32)")),
    mutant("decode_with_spaces", "joins the decoded characters with spaces", {V},
           Patch("vocab", old='return "".join(chars[int(i)] for i in ids)',
                 new='return " ".join(chars[int(i)] for i in ids)')),
    # Task 2: batches
    mutant("batches_not_shifted", "uses the input itself as the target", {B},
           Patch("batches", old="y = ids[1:batch_size * stream_len + 1]",
                 new="y = ids[:batch_size * stream_len]")),
    mutant("batches_consecutive_chunks",
           "cuts the text into consecutive chunks and groups them, so rows do not continue", {B},
           Patch("batches", old=BATCH_ROWS,
                 new="    x = ids[:batch_size * stream_len].reshape(-1, seq_len)\n"
                     "    y = ids[1:batch_size * stream_len + 1].reshape(-1, seq_len)\n"
                     "    return [(x[k * batch_size:(k + 1) * batch_size],\n"
                     "             y[k * batch_size:(k + 1) * batch_size])\n"
                     "            for k in range(n_batches)]")),
    mutant("batches_targets_before_inputs",
           "cuts the inputs one character ahead and the targets from the ids themselves", {B},
           Patch("batches", old="x = ids[:batch_size * stream_len]",
                 new="x = ids[1:batch_size * stream_len + 1]"),
           Patch("batches", old="y = ids[1:batch_size * stream_len + 1]",
                 new="y = ids[:batch_size * stream_len]"),
           hint="x holds the characters that should be the targets"),
    mutant("batches_generator", "returns a generator of the pairs instead of a list", {B},
           Patch("batches", old="    return [(x[:, k * seq_len:(k + 1) * seq_len], "
                                "y[:, k * seq_len:(k + 1) * seq_len])\n"
                                "            for k in range(n_batches)]",
                 new="    return ((x[:, k * seq_len:(k + 1) * seq_len], "
                     "y[:, k * seq_len:(k + 1) * seq_len])\n"
                     "            for k in range(n_batches))"),
           hint="not a list"),
    mutant("batches_count_ignores_target",
           "counts batches with len(ids) // ..., forgetting that the last input needs a target",
           {B},
           Patch("batches", old="n_batches = (len(ids) - 1) // (batch_size * seq_len)",
                 new="n_batches = len(ids) // (batch_size * seq_len)")),
    # Task 3: the model
    mutant("model_ignores_state", "never passes the given state to the LSTM", {M},
           Patch("char_model", old="self.lstm(self.embedding(x), state)",
                 new="self.lstm(self.embedding(x))")),
    mutant("model_time_first", "creates the LSTM without batch_first=True", {M},
           Patch("char_model",
                 old="nn.LSTM(embed_size, hidden_size, num_layers, batch_first=True)",
                 new="nn.LSTM(embed_size, hidden_size, num_layers)")),
    mutant("model_softmax_output", "returns probabilities instead of logits", {M},
           Patch("char_model", old="return self.head(outputs), state",
                 new="return torch.softmax(self.head(outputs), dim=-1), state")),
    # Task 4: loss and perplexity
    mutant("loss_summed", "sums the cross-entropy over the characters", {L},
           Patch("loss_perplexity", old="targets.reshape(-1))",
                 new='targets.reshape(-1), reduction="sum")')),
    mutant("loss_in_bits", "divides the loss by ln 2", {L},
           Patch("loss_perplexity", old=LOSS, new=LOSS + " / math.log(2)")),
    mutant("loss_shifts_again", "shifts the targets once more inside the loss", {L},
           Patch("loss_perplexity", old=LOSS,
                 new="return F.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]),\n"
                     "                           targets[:, 1:].reshape(-1))")),
    mutant("loss_softmax_first", "applies a softmax to the logits before F.cross_entropy", {L},
           Patch("loss_perplexity", old=LOSS,
                 new="probabilities = torch.softmax(logits, dim=-1)\n"
                     "    return F.cross_entropy(probabilities.reshape(-1, logits.shape[-1]),\n"
                     "                           targets.reshape(-1))"),
           hint="F.cross_entropy takes the logits themselves"),
    mutant("perplexity_base_2", "takes 2 ** loss, as for a loss in bits", {L},
           Patch("loss_perplexity", old="return math.exp(float(loss))",
                 new="return 2 ** float(loss)")),
    mutant("perplexity_tensor", "returns the perplexity as a tensor", {L},
           Patch("loss_perplexity", old="return math.exp(float(loss))",
                 new="return torch.exp(torch.as_tensor(loss, dtype=torch.float64))"),
           hint="return a Python float"),
    # Task 5: stateful truncated BPTT
    mutant("train_state_reset", "starts every batch from a zero state", {U},
           Patch("train_tbptt", old="logits, state = model(x, state)",
                 new="logits, state = model(x)")),
    mutant("train_no_detach", "carries the state without detaching it", {U},
           Patch("train_tbptt", old=DETACH, new="")),
    mutant("train_retain_graph", "keeps the graph (retain_graph=True) instead of detaching", {U},
           Patch("train_tbptt", old=DETACH, new=""),
           Patch("train_tbptt", old="loss.backward()", new="loss.backward(retain_graph=True)")),
    mutant("train_no_clipping", "never clips the gradients", {U},
           Patch("train_tbptt", old=CLIP, new="")),
    mutant("train_clip_after_step", "clips after optimizer.step(), too late to matter", {U},
           Patch("train_tbptt", old=UPDATE,
                 new="        loss.backward()\n"
                     "        optimizer.step()\n"
                     "        nn.utils.clip_grad_norm_(model.parameters(), max_norm)\n")),
    mutant("train_no_zero_grad", "never resets the gradients, so they pile up", {U},
           Patch("train_tbptt", old="        optimizer.zero_grad()\n", new="")),
    mutant("train_keeps_loss_tensors", "returns the loss tensors, each holding its graph", {U},
           Patch("train_tbptt", old="losses.append(loss.item())", new="losses.append(loss)")),
    mutant("train_keeps_detached_losses", "returns each loss as a detached tensor", {U},
           Patch("train_tbptt", old="losses.append(loss.item())",
                 new="losses.append(loss.detach())"),
           hint="the losses should be Python floats"),
    mutant("train_ignores_given_state", "starts from zeros whatever state it is given", {U},
           Patch("train_tbptt", old="    losses = []\n", new="    losses, state = [], None\n")),
    mutant("train_eval_mode", "never calls model.train(), so a model that evaluate() or sample() "
           "left in evaluation mode trains with its dropout off", {U},
           Patch("train_tbptt", old="    model.train()\n", new=""),
           hint="model.train()"),
    # Task 6: sampling
    mutant("sample_multiplies_temperature", "multiplies the logits by the temperature", {S},
           Patch("sample", old="scores = scores / temperature",
                 new="scores = scores * temperature")),
    mutant("sample_ignores_generator", "draws with PyTorch's global random numbers", {S},
           Patch("sample", old="torch.multinomial(probabilities, 1, generator=generator)",
                 new="torch.multinomial(probabilities, 1)")),
    mutant("sample_top_k_keeps_best_only", "compares with the best score, not the k-th best", {S},
           Patch("sample", old="torch.topk(scores, top_k).values[-1]",
                 new="torch.topk(scores, top_k).values[0]")),
    mutant("sample_forgets_state", "feeds each drawn id back without the state", {S},
           Patch("sample", old="model(torch.tensor([[next_id]]), state)",
                 new="model(torch.tensor([[next_id]]))")),
    mutant("sample_divides_by_zero", "has no special case for temperature 0", {S},
           Patch("sample", old=GREEDY,
                 new="            scores = scores / temperature\n"
                     "            if top_k is not None:\n"
                     "                kth_best = torch.topk(scores, top_k).values[-1]\n"
                     "                scores = scores.masked_fill(scores < kth_best, -math.inf)\n"
                     "            probabilities = torch.softmax(scores, dim=-1)\n"
                     "            next_id = int(torch.multinomial(probabilities, 1, "
                     "generator=generator))\n")),
    mutant("sample_reseeds_global",
           "seeds PyTorch's global generator from the generator's seed, then draws from it", {S},
           Patch("sample", old="    model.eval()\n",
                 new="    model.eval()\n    torch.manual_seed(generator.initial_seed())\n"),
           Patch("sample", old="torch.multinomial(probabilities, 1, generator=generator)",
                 new="torch.multinomial(probabilities, 1)"),
           hint="changed PyTorch's global random numbers"),
    mutant("sample_forks_global_rng",
           "draws from PyTorch's global generator inside fork_rng, seeded from the generator's "
           "seed at every call", {S},
           Patch("sample", old="    with torch.no_grad():\n",
                 new="    with torch.no_grad(), torch.random.fork_rng():\n"
                     "        torch.manual_seed(generator.initial_seed())\n"),
           Patch("sample", old="torch.multinomial(probabilities, 1, generator=generator)",
                 new="torch.multinomial(probabilities, 1)"),
           hint="two calls of sample with one generator drew the same ids"),
    mutant("sample_training_mode", "leaves the model in training mode while it writes", {S},
           Patch("sample", old="    model.eval()\n", new=""),
           hint="in training mode"),
    mutant("sample_with_gradients", "runs the model with gradients on", {S},
           Patch("sample", old="    with torch.no_grad():\n",
                 new="    with torch.enable_grad():  # (torch.no_grad() forgotten)\n"),
           hint="with gradients on"),
    mutant("sample_returns_tensor", "returns the drawn ids as a tensor", {S},
           Patch("sample", old="    return drawn", new="    return torch.tensor(drawn)"),
           hint="as a list of ints"),
    mutant("sample_from_first_position", "draws after the prefix's first character", {S},
           Patch("sample", old="scores = logits[0, -1]", new="scores = logits[0, 0]")),
]

ALTERNATIVES = [
    alternative(
        "vocab_functional", "a set display, map() and a string join over a generator of ints",
        Patch("vocab", old="chars = sorted(set(text))", new="chars = sorted({*text})"),
        Patch("vocab",
              old="return torch.tensor([char_to_id[char] for char in text], dtype=torch.long)",
              new="return torch.as_tensor(list(map(char_to_id.__getitem__, text)),\n"
                  "                           dtype=torch.int64)"),
        Patch("vocab", old='return "".join(chars[int(i)] for i in ids)',
              new='return "".join(map(chars.__getitem__, map(int, ids)))'),
    ),
    alternative(
        "batches_loop", "builds every batch with a loop over the rows and torch.stack",
        Patch("batches", old=BATCH_ROWS,
              new="    batches = []\n"
                  "    for k in range(n_batches):\n"
                  "        starts = [b * stream_len + k * seq_len for b in range(batch_size)]\n"
                  "        x = torch.stack([ids[s:s + seq_len] for s in starts])\n"
                  "        y = torch.stack([ids[s + 1:s + seq_len + 1] for s in starts])\n"
                  "        batches.append((x, y))\n"
                  "    return batches"),
    ),
    alternative(
        "model_time_first", "a time-first LSTM, with the batch transposed in and out",
        Patch("char_model",
              old="nn.LSTM(embed_size, hidden_size, num_layers, batch_first=True)",
              new="nn.LSTM(embed_size, hidden_size, num_layers)"),
        Patch("char_model",
              old="outputs, state = self.lstm(self.embedding(x), state)"
                  "  # outputs: (batch, steps, hidden)\n"
                  "        return self.head(outputs), state",
              new="outputs, state = self.lstm(self.embedding(x).transpose(0, 1), state)\n"
                  "        return self.head(outputs.transpose(0, 1)), state"),
    ),
    alternative(
        "loss_transposed", "cross_entropy on (batch, vocab, steps) logits; torch.exp for the "
        "perplexity",
        Patch("loss_perplexity", old=LOSS,
              new="return F.cross_entropy(logits.transpose(1, 2), targets)"),
        Patch("loss_perplexity", old="return math.exp(float(loss))",
              new="return torch.exp(torch.as_tensor(loss, dtype=torch.float64)).item()"),
    ),
    alternative(
        "train_detach_on_entry", "detaches the state as each batch begins, clips a list, float()",
        Patch("train_tbptt", old="logits, state = model(x, state)",
              new="if state is not None:\n"
                  "            state = tuple(part.detach() for part in state)\n"
                  "        logits, state = model(x, state)"),
        Patch("train_tbptt", old=DETACH, new=""),
        Patch("train_tbptt", old="nn.utils.clip_grad_norm_(model.parameters(), max_norm)",
              new="torch.nn.utils.clip_grad_norm_(list(model.parameters()), max_norm=max_norm)"),
        Patch("train_tbptt", old="losses.append(loss.item())", new="losses.append(float(loss))"),
        Patch("train_tbptt", old="    return losses, state",
              new="    return losses, tuple(part.detach() for part in state)"),
    ),
    alternative(
        "sample_gumbel_refeed", "feeds the whole text again at every step, without a state, and "
        "draws with the Gumbel-max trick from the given generator",
        Patch("sample", new='''
def sample(model, prefix, n, temperature=1.0, top_k=None, generator=None):
    """Read the ids of prefix, then draw n more ids one at a time; return them as a list."""
    model.eval()
    ids = [int(i) for i in prefix]
    with torch.no_grad():
        for _ in range(n):
            logits, _ = model(torch.tensor([ids]))  # all the text so far, from a zero state
            scores = logits[0, -1]
            if top_k is not None:
                best = torch.argsort(scores, descending=True)[:top_k]
                scores = torch.full_like(scores, -math.inf).index_copy(0, best, scores[best])
            if temperature == 0:
                ids.append(int(scores.argmax()))
                continue
            uniform = torch.rand(scores.shape, generator=generator).clamp_min(1e-12)
            ids.append(int((scores / temperature - torch.log(-torch.log(uniform))).argmax()))
    return ids[len(prefix):]'''),
    ),
]

# The known students (testing.known_class) that `make demo` shows in these rows.
DEMO = {
    "typical_bug_1": "mutant_train_state_reset",
    "typical_bug_2": "mutant_sample_multiplies_temperature",
    "different_but_right": "alt_sample_gumbel_refeed",
}
