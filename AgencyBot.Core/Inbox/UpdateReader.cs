using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Telegram.Bot;
using Telegram.Bot.Types;

namespace AgencyBot.Core.Inbox;

/// <summary>An update that cannot be read at all; it is dead-lettered at once (trying again cannot help).</summary>
public sealed class UnreadableUpdateException(string reason, Exception? inner = null) : Exception(reason, inner);

/// <summary>An update read from its stored JSON, and the parts of it that had to be left out.</summary>
public sealed record ReadUpdate(Update Update, IReadOnlyList<string> LeftOut);

/// <summary>
/// Reads an update the way a long-lived bot must: Telegram adds fields, enum values and kinds of objects several
/// times a year. Unknown fields are skipped and unknown enum values read as 0 (the library's "unknown") by the
/// library itself; what it cannot read at all is an object of a kind newer than it (a message origin or a reaction
/// type it does not know), and that object is left out — named in <see cref="ReadUpdate.LeftOut"/> — so the rest of
/// the update is still handled. A value of the wrong type (text that is a number) or a message without its chat
/// makes the update unreadable.
/// </summary>
public static class UpdateReader
{
    private const int MaxLeftOut = 20;

    private static readonly JsonSerializerOptions Options = new(JsonBotAPI.Options) { Converters = { new NoNulStrings() } };

    public static ReadUpdate Read(string json)
    {
        var leftOut = new List<string>();
        JsonNode? tree = null;
        while (true)
        {
            try
            {
                var update = tree is null ? JsonSerializer.Deserialize<Update>(json, Options) : tree.Deserialize<Update>(Options);
                if (update is null) throw new UnreadableUpdateException("The update is JSON null.");
                Check(update);
                return new ReadUpdate(update, leftOut);
            }
            catch (JsonException ex) when (ex.Path is { } path && leftOut.Count < MaxLeftOut)
            {
                tree ??= ParseTree(json, ex);
                if (!TryRemoveObjectAt(tree, path)) throw new UnreadableUpdateException($"Cannot read {path}: {ex.Message}", ex);
                leftOut.Add(path);
            }
            catch (JsonException ex)
            {
                throw new UnreadableUpdateException($"Cannot read the update: {ex.Message}", ex);
            }
        }
    }

    /// <summary>What every handler may count on: a message has its chat, a button press its presser.</summary>
    private static void Check(Update update)
    {
        foreach (var message in new[] { update.Message, update.EditedMessage, update.ChannelPost, update.EditedChannelPost, update.BusinessMessage, update.EditedBusinessMessage })
            if (message is not null && message.Chat is null)
                throw new UnreadableUpdateException("A message without its chat.");
        if (update.CallbackQuery is { From: null }) throw new UnreadableUpdateException("A button press without its presser.");
        if (update.MyChatMember is { } change && (change.Chat is null || change.NewChatMember is null))
            throw new UnreadableUpdateException("A member change without its chat or new status.");
    }

    private static JsonNode ParseTree(string json, JsonException cause)
    {
        try
        {
            return JsonNode.Parse(json) ?? throw new UnreadableUpdateException("The update is JSON null.", cause);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or ArgumentException)
        {
            throw new UnreadableUpdateException($"Cannot read the update: {cause.Message}", cause);
        }
    }

    /// <summary>Removes the object at a JSON path like <c>$.message.forward_origin</c> or
    /// <c>$.message_reaction.new_reaction[1]</c>. Only objects below the update's own field go: a scalar of the wrong
    /// type, or the whole message, is not something to leave out.</summary>
    private static bool TryRemoveObjectAt(JsonNode root, string path)
    {
        var steps = Steps(path);
        if (steps is null || steps.Count < 2) return false;
        var parent = root;
        foreach (var step in steps[..^1])
        {
            parent = step switch
            {
                string name when parent is JsonObject o => o[name],
                int index when parent is JsonArray a && index < a.Count => a[index],
                _ => null,
            };
            if (parent is null) return false;
        }
        switch (steps[^1], parent)
        {
            case (string name, JsonObject o) when o[name] is JsonObject:
                return o.Remove(name);
            case (int index, JsonArray a) when index < a.Count && a[index] is JsonObject:
                a.RemoveAt(index);
                return true;
            default:
                return false;
        }
    }

    /// <summary>The steps of System.Text.Json's error path: <c>.name</c>, <c>['name']</c> and <c>[index]</c>.</summary>
    private static List<object>? Steps(string path)
    {
        if (!path.StartsWith('$')) return null;
        var steps = new List<object>();
        var i = 1;
        while (i < path.Length)
        {
            if (path[i] == '.')
            {
                var end = path.IndexOfAny(['.', '['], i + 1);
                if (end < 0) end = path.Length;
                steps.Add(path[(i + 1)..end]);
                i = end;
            }
            else if (path.AsSpan(i).StartsWith("['"))
            {
                var end = path.IndexOf("']", i + 2, StringComparison.Ordinal);
                if (end < 0) return null;
                steps.Add(path[(i + 2)..end]);
                i = end + 2;
            }
            else if (path[i] == '[')
            {
                var end = path.IndexOf(']', i);
                if (end < 0 || !int.TryParse(path.AsSpan(i + 1, end - i - 1), out var index)) return null;
                steps.Add(index);
                i = end + 1;
            }
            else return null;
        }
        return steps;
    }

    /// <summary>A NUL character (which no real client types, but a forged update may carry) becomes U+FFFD:
    /// PostgreSQL's text cannot hold one, and the record should read the same on both engines.</summary>
    private sealed class NoNulStrings : JsonConverter<string>
    {
        public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.GetString()?.Replace('\0', '\uFFFD');

        public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
    }
}
