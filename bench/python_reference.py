#!/usr/bin/python3
# Kept under bench/ as the measuring stick for the C++ main job (bench/run.sh); optional: the
# project never needs Python. It mirrors the original chapter's main.py training loop.
"""The original chapter's name classifier in PyTorch from Python, written from its documented
behaviour (synthetic suffix-rule names, packed bidirectional 2-layer RNN/LSTM/GRU, Adam, clip 1.0,
80/20 split). A measuring stick for timing the C++ main job side by side; prints one JSON line."""
import argparse, json, random, sys, time
t0 = time.time()
import torch
import torch.nn as nn

RULES = {0: ["ov", "sky", "ev", "in", "ka"], 1: ["son", "man", "er", "ton", "ley"],
         2: ["ini", "elli", "ano", "rio", "ucci"], 3: ["yama", "to", "wa", "ki", "ko"],
         4: ["os", "is", "as", "opoulos", "akis"]}
CHARS = "abcdefghijklmnopqrstuvwxyz"

def make_data(n):
    vocab = {"<pad>": 0, "<unk>": 1}
    data = []
    for _ in range(n):
        label = random.choice(list(RULES))
        name = "".join(random.choice(CHARS) for _ in range(random.randint(3, 8))) + random.choice(RULES[label])
        for ch in name:
            vocab.setdefault(ch, len(vocab))
        data.append((name, label))
    return data, vocab

class Model(nn.Module):
    def __init__(self, kind, vocab, emb, hid, layers=2, bidir=True, dropout=0.3):
        super().__init__()
        self.kind = kind
        self.emb = nn.Embedding(vocab, emb, padding_idx=0)
        cls = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[kind]
        self.rnn = cls(emb, hid, num_layers=layers, bidirectional=bidir, dropout=dropout, batch_first=True)
        self.fc = nn.Linear(hid * 2, 5)
        self.drop = nn.Dropout(dropout)
    def forward(self, x, lengths):
        packed = nn.utils.rnn.pack_padded_sequence(self.drop(self.emb(x)), lengths, batch_first=True, enforce_sorted=False)
        _, h = self.rnn(packed)
        if self.kind == "lstm":
            h = h[0]
        return self.fc(self.drop(torch.cat((h[-2], h[-1]), 1)))

def batches(items, vocab, bs, shuffle):
    idx = list(range(len(items)))
    if shuffle:
        random.shuffle(idx)
    for i in range(0, len(idx), bs):
        chunk = [items[j] for j in idx[i:i + bs]]
        seqs = [torch.tensor([vocab.get(c, 1) for c in s], dtype=torch.long) for s, _ in chunk]
        yield (nn.utils.rnn.pad_sequence(seqs, batch_first=True), torch.tensor([len(s) for s in seqs]),
               torch.tensor([l for _, l in chunk]))

def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model_type", default="lstm"); p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--data_size", type=int, default=10000); p.add_argument("--seed", type=int, default=42)
    p.add_argument("--batch_size", type=int, default=128); p.add_argument("--threads", type=int, default=0)
    a = p.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    random.seed(a.seed); torch.manual_seed(a.seed)
    data, vocab = make_data(a.data_size)
    random.shuffle(data)
    ntrain = int(0.8 * len(data)); train, val = data[:ntrain], data[ntrain:]
    model = Model(a.model_type, len(vocab), 128, 256)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3); lossf = nn.CrossEntropyLoss()
    t_train = time.time()
    for _ in range(a.epochs):
        model.train()
        for x, l, y in batches(train, vocab, a.batch_size, True):
            opt.zero_grad(); loss = lossf(model(x, l), y); loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0); opt.step()
        model.eval(); correct = 0
        with torch.no_grad():
            for x, l, y in batches(val, vocab, a.batch_size, False):
                correct += (model(x, l).argmax(1) == y).sum().item()
    print(json.dumps({"model_type": a.model_type, "val_acc": 100.0 * correct / len(val),
                      "train_s": round(time.time() - t_train, 3), "total_s": round(time.time() - t0, 3),
                      "params": sum(p.numel() for p in model.parameters())}))

if __name__ == "__main__":
    main()
