using System.Text.Json;
using System.Text.Json.Nodes;

namespace AgencyBot.Sandbox;

/// <summary>What a person in each chat sees, in order (the sandbox page).</summary>
public sealed partial class FakeBotApi
{
    // ---------- what a person in each chat sees (the sandbox page) ----------

    /// <summary>Everything posted in every chat, by people and by the bot, in order: what Telegram's apps would show.</summary>
    public IReadOnlyList<ChatEntry> TimelineSince(int seq)
    {
        lock (_lock) return _timeline.Skip(seq).ToList();
    }

    /// <summary>Completes when the timeline has more than <paramref name="seen"/> entries.</summary>
    public Task WaitForTimelineAsync(int seen, CancellationToken ct)
    {
        lock (_lock) return _timeline.Count > seen ? Task.CompletedTask : _timelineChanged.Task.WaitAsync(ct);
    }

    /// <summary>The bytes of a photo the bot uploaded (entry <paramref name="seq"/>), if any.</summary>
    public byte[]? PhotoOf(int seq)
    {
        lock (_lock)
        {
            // Only a photo the bot uploaded has bytes; a file id (a photo a person sent, or a copy of one) has none here.
            return _uploads.GetValueOrDefault(seq);
        }
    }

    private void RecordUserMessage(JsonObject message)
    {
        // Tests hand in odd shapes on purpose; what the page shows must never break delivering them.
        if (Number(message["chat"]?["id"]) is not { } chatId || Number(message["message_id"]) is not { } number) return;
        var messageId = (int)number;
        var text = Text(message["text"]) ?? Text(message["caption"]);
        var photo = message["photo"] is JsonArray sizes ? Text(sizes.LastOrDefault()?["file_id"]) : null;
        _userTexts[(chatId, messageId)] = text;
        _userMessages[(chatId, messageId)] = message.DeepClone();
        if (photo is not null) _userPhotos[(chatId, messageId)] = photo;
        AddToTimeline(new ChatEntry(0, ChatEntryKind.Message, chatId, (int?)Number(message["message_thread_id"]), messageId,
            Text(message["from"]?["first_name"]) ?? "", false, text ?? (photo is null ? "[media]" : null), null, null, photo, _clock.GetUtcNow()));
    }

    private ChatEntry BotEntry(BotRequest request, int messageId, ChatEntryKind kind, string? photo = null)
    {
        var body = request.Body;
        // A copy shows what was copied (Telegram's apps show the original's content), with the caption given.
        var original = Number(body["from_chat_id"]) is { } from && Number(body["message_id"]) is { } id ? (from, (int)id) : ((long, int)?)null;
        var copied = original is { } o ? _userTexts.GetValueOrDefault(o) : null;
        var copiedPhoto = original is { } p ? _userPhotos.GetValueOrDefault(p) : null;
        var copiedMany = body["message_ids"] is JsonArray ids && Number(body["from_chat_id"]) is { } fromMany
            ? string.Join("\n", ids.Select(i => _userTexts.GetValueOrDefault((fromMany, (int)(Number(i) ?? 0))) ?? "[media]")) : null;
        var text = request.Text ?? copied ?? copiedMany
            ?? (request.Method.StartsWith("copy", StringComparison.OrdinalIgnoreCase) && copiedPhoto is null ? "[media]" : null);
        var keyboard = body["reply_markup"] is JsonObject markup && markup["inline_keyboard"] is JsonArray rows ? rows.DeepClone() : null;
        return new ChatEntry(0, kind, request.ChatId ?? 0, request.ThreadId, messageId, "Agency Bot", true, text, Text(body["parse_mode"]), keyboard,
            photo ?? copiedPhoto, _clock.GetUtcNow());
    }

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static long? Number(JsonNode? node) =>
        node is JsonValue value && (value.TryGetValue<long>(out var number) || (value.TryGetValue<int>(out var small) && (number = small) == small)
            || (value.TryGetValue<JsonElement>(out var element) && element.TryGetInt64(out number)))
            ? number : null;

    private void AddToTimeline(ChatEntry entry, byte[]? upload = null)
    {
        var seq = _timeline.Count + 1;
        _timeline.Add(entry with { Seq = seq });
        if (upload is not null) _uploads[seq] = upload;
        _timelineChanged.TrySetResult();
        _timelineChanged = NewSignal();
    }
}
