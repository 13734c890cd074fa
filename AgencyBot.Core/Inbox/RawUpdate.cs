using System.Text.Json;

namespace AgencyBot.Core.Inbox;

/// <summary>
/// An update exactly as Telegram sent it, with the two things the inbox needs before anyone reads it: its update_id
/// and the chat it belongs to (updates of one chat are handled in order). Nothing here depends on the Telegram
/// library's types, so an update of a shape newer than the library is stored like any other.
/// </summary>
public sealed record RawUpdate(long Id, long ChatId, string Kind, string Json)
{
    /// <summary>The update's JSON as received; null when it has no integer update_id (it cannot be an update).</summary>
    public static RawUpdate? From(JsonElement update)
    {
        if (update.ValueKind != JsonValueKind.Object || !update.TryGetProperty("update_id", out var id)
            || id.ValueKind != JsonValueKind.Number || !id.TryGetInt64(out var updateId))
            return null;
        // Telegram sends one field besides update_id, named for the kind of update.
        var kind = update.EnumerateObject().Select(p => p.Name).FirstOrDefault(n => n != "update_id") ?? "unknown";
        return new RawUpdate(updateId, ChatOf(kind, update.TryGetProperty(kind, out var body) ? body : default), kind, update.GetRawText());
    }

    /// <summary>Parses one update's JSON text (a webhook body, a test's fixture); null when it is not an update.</summary>
    public static RawUpdate? Parse(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return From(document.RootElement) is { } update ? update with { Json = json } : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The chat an update belongs to: the chat of a message or member change, the chat of the message a
    /// button sits under, else the user (inline queries, poll answers); 0 when none can be told.</summary>
    private static long ChatOf(string kind, JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object) return 0;
        return kind switch
        {
            "callback_query" => IdAt(body, "message", "chat") ?? IdAt(body, "from") ?? 0,
            "poll_answer" => IdAt(body, "user") ?? IdAt(body, "voter_chat") ?? 0,
            _ => IdAt(body, "chat") ?? IdAt(body, "from") ?? IdAt(body, "user") ?? 0,
        };
    }

    private static long? IdAt(JsonElement body, params string[] path)
    {
        var at = body;
        foreach (var name in path)
            if (at.ValueKind != JsonValueKind.Object || !at.TryGetProperty(name, out at)) return null;
        return at.ValueKind == JsonValueKind.Object && at.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.Number
            && id.TryGetInt64(out var value) ? value : null;
    }
}
