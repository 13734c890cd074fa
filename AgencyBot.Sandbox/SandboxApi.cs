using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using AgencyBot.Core.Agency;
using AgencyBot.Core.Conversations;
using AgencyBot.Core.Escalation;
using Microsoft.Extensions.Options;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AgencyBot.Sandbox;

/// <summary>What a user sends from the page: as whom, in which chat (and topic), what.</summary>
public sealed record SandboxMessage(long As, long Chat, int? ThreadId, string? Text);

/// <summary>A press on an inline-keyboard button under one of the bot's messages.</summary>
public sealed record SandboxPress(long As, long Chat, int MessageId, string? Data);

/// <summary>A reaction put on a message.</summary>
public sealed record SandboxReaction(long As, long Chat, int MessageId, string? Emoji);

/// <summary>What the page shows around the chats; <see cref="Skipped"/>: minutes the clock button moved the clock.</summary>
public sealed record SandboxState(string? Step, long Skipped, DateTimeOffset Now, SandboxChat StaffChat, SandboxPeople.Person Client,
    SandboxPeople.Person Manager, IReadOnlyList<SandboxPeople.Person> Staff);

public sealed record SandboxChat(long Id, string Title);

public sealed record UpdateAccepted(int UpdateId);

public sealed record UpdatesAccepted(IReadOnlyList<int> UpdateIds);

public sealed record MessageAccepted(int MessageId);

/// <summary>The sandbox page's calls, in the host's JSON options beside the admin API's (metadata generated at build time).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(SandboxMessage))]
[JsonSerializable(typeof(SandboxPress))]
[JsonSerializable(typeof(SandboxReaction))]
[JsonSerializable(typeof(SandboxState))]
[JsonSerializable(typeof(UpdateAccepted))]
[JsonSerializable(typeof(UpdatesAccepted))]
[JsonSerializable(typeof(MessageAccepted))]
public sealed partial class SandboxApiJson : JsonSerializerContext;

/// <summary>
/// The sandbox page and what it calls: the page itself (three chats), the live feed of everything posted
/// (server-sent events), acting as one of the demo people, and the clock button. Only in sandbox mode, and only to
/// this machine.
/// </summary>
public static partial class SandboxApi
{
    /// <summary>Telegram's apps split a longer text into several messages of at most this many characters.</summary>
    private const int TelegramMessageLimit = 4096;
    /// <summary>When nobody waits (or a wait is past every step), the clock button moves this far.</summary>
    private static readonly TimeSpan Idle = TimeSpan.FromMinutes(10);
    /// <summary>The timeline as the sandbox page reads it (metadata generated at build time).</summary>
    [JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true)]
    [JsonSerializable(typeof(ChatEntry))]
    private sealed partial class TimelineJson : JsonSerializerContext;

    public static void MapSandbox(this WebApplication app, SandboxMode sandbox)
    {
        var page = app.MapGroup("/sandbox").AddEndpointFilter(async (context, next) =>
            // Bound to 127.0.0.1 already; this holds even behind a misconfigured forwarder.
            context.HttpContext.Connection.RemoteIpAddress is { } ip && IPAddress.IsLoopback(ip)
                ? await next(context)
                : Refused(403, "Forbidden", "The sandbox answers only on this machine."));

        page.MapGet("/", () => Asset("index.html", "text/html; charset=utf-8"));
        page.MapGet("/sandbox.js", () => Asset("sandbox.js", "text/javascript; charset=utf-8"));
        page.MapGet("/sandbox.css", () => Asset("sandbox.css", "text/css; charset=utf-8"));

        page.MapGet("/api/state", () => TypedResults.Ok(State(sandbox)));
        page.MapGet("/api/events", (HttpContext http, CancellationToken ct) => StreamAsync(http, sandbox, ct));
        page.MapGet("/api/photos/{seq:int}", (int seq) => sandbox.Telegram.PhotoOf(seq) is { } png
            ? Results.File(png, "image/png")
            : Refused(404, "Not found", $"Entry {seq} has no photo."));
        page.MapPost("/api/messages", (SandboxMessage body, ILoggerFactory logs) => Send(sandbox, body, logs.CreateLogger(nameof(SandboxApi))));
        page.MapPost("/api/photos", (SandboxMessage body, ILoggerFactory logs) => SendPhoto(sandbox, body, logs.CreateLogger(nameof(SandboxApi))));
        page.MapGet("/sample-photo.svg", () => Asset("sample-photo.svg", "image/svg+xml"));
        page.MapPost("/api/presses", (SandboxPress body, ILoggerFactory logs) => Press(sandbox, body, logs.CreateLogger(nameof(SandboxApi))));
        page.MapPost("/api/reactions", IResult (SandboxReaction body, ILoggerFactory logs) =>
        {
            if (Speaker(body.As, body.Chat) is not { } person || string.IsNullOrEmpty(body.Emoji) || body.Emoji.Length > 8)
            {
                logs.CreateLogger(nameof(SandboxApi)).LogWarning("Sandbox: refused a reaction by {As} in chat {Chat}", body.As, body.Chat);
                return Refused(400, "Bad request", "That person cannot react in that chat.");
            }
            return TypedResults.Accepted((string?)null, new UpdateAccepted(sandbox.Telegram.Reacts(body.Chat, body.MessageId, person.TelegramId, body.Emoji, person.FirstName)));
        });
        page.MapPost("/api/skip", async (Escalations escalations, ConversationStore conversations, IOptions<SlaOptions> sla, CancellationToken ct) =>
        {
            var (by, step) = NextStep(await conversations.OldestWaitingAsync(ct), sla.Value, sandbox.Clock.GetUtcNow());
            sandbox.Clock.Skip(by);
            // The SLA check runs every few seconds anyway; running it now shows the effect at once.
            await escalations.CheckAsync(ct);
            return TypedResults.Ok(State(sandbox, step));
        });
    }

    /// <summary>Just past the next escalation step of the client who has waited longest, so each step shows on its own:
    /// the reminder in the topic, the broken promise, the managers' alert.</summary>
    private static (TimeSpan By, string Step) NextStep(Conversation? waiting, SlaOptions sla, DateTimeOffset now)
    {
        if (waiting?.WaitingSince is not { } since) return (Idle, "nobody is waiting for an answer");
        var waited = now - DateTimeOffset.FromUnixTimeMilliseconds(since);
        (TimeSpan At, string Step)[] steps =
        [
            (sla.Remind, $"{sla.Remind.TotalMinutes:0} min: the reminder in the topic"),
            (sla.FirstResponse, $"{sla.FirstResponse.TotalMinutes:0} min: the promise is broken (the digest counts it)"),
            (sla.Escalate, $"{sla.Escalate.TotalMinutes:0} min: the managers are alerted"),
        ];
        foreach (var (at, step) in steps)
            if (waited < at) return (at - waited + TimeSpan.FromSeconds(5), step);
        return (Idle, "past every step: answer the client");
    }

    private static SandboxState State(SandboxMode sandbox, string? step = null) => new(
        Step: step,
        Skipped: (long)sandbox.Clock.Skipped.TotalMinutes,
        Now: sandbox.Clock.GetUtcNow(),
        StaffChat: new SandboxChat(SandboxPeople.StaffChat, SandboxPeople.StaffChatTitle),
        Client: SandboxPeople.Client,
        Manager: SandboxPeople.Manager,
        Staff: SandboxPeople.Staff);

    private static IResult Send(SandboxMode sandbox, SandboxMessage body, ILogger logger)
    {
        if (Speaker(body.As, body.Chat) is not { } person)
        {
            logger.LogWarning("Sandbox: {As} cannot write in chat {Chat}", body.As, body.Chat);
            return Refused(400, "Bad request", "That person cannot write in that chat.");
        }
        // Telegram's apps do not send an empty message at all.
        if (string.IsNullOrWhiteSpace(body.Text))
            return Refused(400, "Bad request", "Telegram does not send an empty message.");
        var parts = body.Text.Chunk(TelegramMessageLimit).Select(c => new string(c)).ToList();
        var ids = parts.Select(part => sandbox.Telegram.ClientSends(body.Chat, part, person.TelegramId, person.FirstName, "en",
            body.Chat == SandboxPeople.StaffChat ? body.ThreadId : null)).ToList();
        return TypedResults.Accepted((string?)null, new UpdatesAccepted(ids));
    }

    /// <summary>A person sends a photo (the sandbox's sample picture), with the text as its caption.</summary>
    private static IResult SendPhoto(SandboxMode sandbox, SandboxMessage body, ILogger logger)
    {
        if (Speaker(body.As, body.Chat) is not { } person)
        {
            logger.LogWarning("Sandbox: {As} cannot send a photo in chat {Chat}", body.As, body.Chat);
            return Refused(400, "Bad request", "That person cannot write in that chat.");
        }
        // Telegram allows captions of up to 1024 characters; its apps refuse a longer one.
        if (body.Text is { Length: > 1024 }) return Refused(400, "Bad request", "A photo's caption can be at most 1024 characters.");
        var messageId = sandbox.Telegram.ClientSendsMedia(body.Chat, "photo", string.IsNullOrWhiteSpace(body.Text) ? null : body.Text,
            userId: person.TelegramId, firstName: person.FirstName, threadId: body.Chat == SandboxPeople.StaffChat ? body.ThreadId : null);
        return TypedResults.Accepted((string?)null, new MessageAccepted(messageId));
    }

    private static IResult Press(SandboxMode sandbox, SandboxPress body, ILogger logger)
    {
        if (Speaker(body.As, body.Chat) is not { } person || string.IsNullOrEmpty(body.Data))
        {
            logger.LogWarning("Sandbox: refused a button press by {As} in chat {Chat}", body.As, body.Chat);
            return Refused(400, "Bad request", "That person cannot press buttons in that chat.");
        }
        var id = sandbox.Telegram.Presses(body.Chat, body.MessageId, body.Data, person.TelegramId, person.FirstName);
        return TypedResults.Accepted((string?)null, new UpdateAccepted(id));
    }

    /// <summary>A private chat is the person's own; the staff group is for staff.</summary>
    private static SandboxPeople.Person? Speaker(long telegramId, long chat)
    {
        var person = telegramId == SandboxPeople.Client.TelegramId ? SandboxPeople.Client : SandboxPeople.StaffMember(telegramId);
        if (person is null) return null;
        return chat == person.TelegramId || (chat == SandboxPeople.StaffChat && person != SandboxPeople.Client) ? person : null;
    }

    /// <summary>Server-sent events: every timeline entry from the one after Last-Event-ID, then each new one as it comes.</summary>
    private static async Task StreamAsync(HttpContext http, SandboxMode sandbox, CancellationToken ct)
    {
        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        var seen = int.TryParse(http.Request.Headers["Last-Event-ID"], out var last) ? last : 0;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                foreach (var entry in sandbox.Telegram.TimelineSince(seen))
                {
                    await http.Response.WriteAsync($"id: {entry.Seq}\ndata: {JsonSerializer.Serialize(entry, TimelineJson.Default.ChatEntry)}\n\n", ct);
                    seen = entry.Seq;
                }
                await http.Response.Body.FlushAsync(ct);
                await sandbox.Telegram.WaitForTimelineAsync(seen, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The page was closed.
        }
    }

    private static IResult Asset(string name, string contentType)
    {
        var stream = typeof(SandboxApi).Assembly.GetManifestResourceStream($"AgencyBot.Sandbox.Page.{name}");
        return stream is null ? Refused(404, "Not found", $"{name} is not part of this build.") : Results.Stream(stream, contentType);
    }

    private static ProblemHttpResult Refused(int status, string title, string why) => TypedResults.Problem(statusCode: status, title: title, detail: why);
}
