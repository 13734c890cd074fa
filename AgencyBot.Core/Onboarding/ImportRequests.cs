using System.Text;
using System.Text.Json.Nodes;
using AgencyBot.Core.Data;
using AgencyBot.Core.Exports;
using AgencyBot.Core.Messaging;
using AgencyBot.Core.Outbox;
using CsvHelper;
using Microsoft.Extensions.Hosting;

namespace AgencyBot.Core.Onboarding;

/// <summary>A file sent with /import, waiting to be downloaded and imported.</summary>
public sealed record ImportRequest
{
    public long Id { get; init; }
    public long ChatId { get; init; }
    public long? ThreadId { get; init; }
    public long MessageId { get; init; }
    public long StaffId { get; init; }
    public string FileId { get; init; } = "";
    public string? FileName { get; init; }
    public long Attempts { get; init; }
}

public sealed class ImportSignal : WorkSignal;

/// <summary>
/// /import in the staff chat: the update records the file (import_requests); this loop downloads it from Telegram and
/// imports it through <see cref="ProjectImport"/>, then answers where it was asked, with the invitations as a CSV file.
/// The import and the request's "done" are one transaction, so a restart or a second host never imports a file twice.
/// A download that fails is tried again a few times; a file that cannot be read is answered with why.
/// </summary>
public sealed class ImportRequests(Database database, IMessenger messenger, ProjectImport import, OutboxStore outbox, BotUser botUser, ImportSignal signal,
    TimeProvider clock, ILogger<ImportRequests> logger) : BackgroundService
{
    public const long MaxBytes = 1024 * 1024;
    private const int MaxAttempts = 5;
    /// <summary>How often it looks for new files when nothing wakes it (a request recorded on another host).</summary>
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(5);

    private const string Insert = """
        INSERT INTO import_requests (chat_id, thread_id, message_id, staff_id, file_id, file_name, next_at, created_at)
        VALUES (@ChatId, @ThreadId, @MessageId, @StaffId, @FileId, @FileName, @Now, @Now)
        """;

    private const string SelectDue = """
        SELECT id AS Id, chat_id AS ChatId, thread_id AS ThreadId, message_id AS MessageId, staff_id AS StaffId, file_id AS FileId,
               file_name AS FileName, attempts AS Attempts
        FROM import_requests WHERE state = 'pending' AND next_at <= @Now ORDER BY id LIMIT 5
        """;

    private const string SelectNext = "SELECT MIN(next_at) FROM import_requests WHERE state = 'pending'";

    private const string Retry = "UPDATE import_requests SET attempts = attempts + 1, next_at = @NextAt WHERE id = @Id AND state = 'pending'";

    // Claimed first, in the transaction that imports: a second host (or a second pass) finds it taken and does nothing.
    private const string Claim = "UPDATE import_requests SET state = 'done', finished_at = @Now WHERE id = @Id AND state = 'pending'";

    private const string Outcome = "UPDATE import_requests SET state = @State, outcome = @Outcome WHERE id = @Id";

    /// <summary>Records the file to import (in the update's transaction); the loop takes it from there.</summary>
    public static Task AddAsync(IDbConnection c, IDbTransaction t, Message message, Document document, long staffId, DateTimeOffset now) =>
        c.ExecuteAsync(Insert, new
        {
            ChatId = message.Chat.Id, ThreadId = (long?)message.TopicOf(), MessageId = (long)message.Id, StaffId = staffId, FileId = document.FileId,
            document.FileName, Now = now.ToUnixTimeMilliseconds(),
        }, t);

    // Not woken by every commit (that would be two queries per update on the intake's hot path): a short poll finds a
    // new request within seconds, and one whose download failed waits for its own time.
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        WorkLoop.RunAsync(PassAsync, signal, Idle, clock, logger, "Importing a file sent with /import", stoppingToken);

    private async Task<DateTimeOffset> PassAsync(CancellationToken ct)
    {
        IReadOnlyList<ImportRequest> due;
        long? next;
        await using (var connection = await database.OpenAsync(ct))
        {
            due = (await connection.QueryAsync<ImportRequest>(SelectDue, new { Now = clock.GetUtcNow().ToUnixTimeMilliseconds() })).AsList();
            next = await connection.ExecuteScalarAsync<long?>(SelectNext);
        }
        foreach (var request in due) await ProcessAsync(request, ct);
        if (due.Count > 0) return clock.GetUtcNow();
        return next is { } at ? DateTimeOffset.FromUnixTimeMilliseconds(at) : WorkLoop.Idle;
    }

    private async Task ProcessAsync(ImportRequest request, CancellationToken ct)
    {
        byte[]? content;
        try
        {
            content = await messenger.DownloadAsync(request.FileId, MaxBytes, ct);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            if (request.Attempts + 1 < MaxAttempts)
            {
                var delay = Backoff.After((int)request.Attempts + 1, TimeSpan.FromMinutes(2));
                logger.LogWarning(ex, "Downloading the file of import {ImportId} failed; trying again in {Delay}", request.Id, delay);
                await database.WriteAsync((c, t) => c.ExecuteAsync(Retry, new { request.Id, NextAt = (clock.GetUtcNow() + delay).ToUnixTimeMilliseconds() }, t), ct);
                return;
            }
            logger.LogError(ex, "Import {ImportId}: the file could not be downloaded after {Attempts} attempts", request.Id, MaxAttempts);
            await database.WriteAsync((c, t) => ClaimAndFailAsync(c, t, request, "I could not download the file from Telegram. Nothing was imported: send it again."), ct);
            return;
        }
        if (content is null)
        {
            await database.WriteAsync((c, t) => ClaimAndFailAsync(c, t, request, $"The file is larger than {MaxBytes / 1024} KB. Nothing was imported."), ct);
            return;
        }
        var json = request.FileName?.EndsWith(".json", StringComparison.OrdinalIgnoreCase) == true;
        var (rows, problem) = ImportFile.Read(Encoding.UTF8.GetString(content).TrimStart('\uFEFF'), json);
        await database.WriteAsync(async (c, t) =>
        {
            var now = clock.GetUtcNow();
            if (await c.ExecuteAsync(Claim, new { request.Id, Now = now.ToUnixTimeMilliseconds() }, t) == 0) return;
            if (problem is not null || await botUser.UsernameAsync(c, t) is not { } username)
            {
                await FailAsync(c, t, request, problem ?? "I do not know my own username yet, so I cannot make invitation links. Send the file again in a minute.");
                return;
            }
            var result = await import.ImportAsync(c, t, rows, username, request.StaffId, now);
            if (result.Problems.Count > 0)
            {
                var lines = result.Problems.Take(20).Select(p => $"• {p.Key}: {string.Join(" ", p.Value)}");
                await FailAsync(c, t, request, $"Nothing was imported: fix these lines and send the whole file again.\n{string.Join("\n", lines)}" +
                    (result.Problems.Count > 20 ? $"\n… and {result.Problems.Count - 20} more." : ""));
                return;
            }
            var created = result.Projects.Count(p => p.Status == "created");
            var summary = $"✅ Imported {request.FileName ?? "the file"}: {created} {(created == 1 ? "project" : "projects")} created" +
                (result.Projects.Count > created ? $", {result.Projects.Count - created} already there (left as they were)" : "") +
                ". Each new project's invitation (link and text in the client's language) is in the attached file.";
            await c.ExecuteAsync(Outcome, new { request.Id, State = "done", Outcome = summary }, t);
            logger.LogInformation("Import {ImportId}: {Created} projects created from {Rows} lines", request.Id, created, rows.Count);
            await ReplyAsync(c, t, request, summary);
            var file = await AttachmentStore.AddAsync(c, t, "invitations.csv", "text/csv", InvitationsCsv(result), now);
            var document = new JsonObject
            {
                ["chat_id"] = request.ChatId, ["attachment_id"] = file, ["caption"] = $"Invitations: {created}",
                ["message_thread_id"] = request.ThreadId is { } thread ? (int)thread : null,
            };
            await outbox.EnqueueRawAsync(c, t, request.ChatId, "sendDocument", document.ToJsonString());
        }, ct);
    }

    private async Task ClaimAndFailAsync(IDbConnection c, IDbTransaction t, ImportRequest request, string why)
    {
        if (await c.ExecuteAsync(Claim, new { request.Id, Now = clock.GetUtcNow().ToUnixTimeMilliseconds() }, t) == 1) await FailAsync(c, t, request, why);
    }

    /// <summary>A claimed request that imported nothing: why, to the person who asked.</summary>
    private async Task FailAsync(IDbConnection c, IDbTransaction t, ImportRequest request, string why)
    {
        await c.ExecuteAsync(Outcome, new { request.Id, State = "failed", Outcome = why }, t);
        logger.LogWarning("Import {ImportId} failed: {Why}", request.Id, why.Split('\n')[0]);
        await ReplyAsync(c, t, request, why);
    }

    private Task ReplyAsync(IDbConnection c, IDbTransaction t, ImportRequest request, string text) =>
        outbox.EnqueueAsync(c, t, request.ChatId, new SendMessageRequest
        {
            ChatId = request.ChatId, MessageThreadId = request.ThreadId is { } thread ? (int)thread : null, Text = text,
            ReplyParameters = new ReplyParameters { MessageId = (int)request.MessageId, AllowSendingWithoutReply = true },
        });

    /// <summary>One line per project: what to send whom.</summary>
    private static byte[] InvitationsCsv(ImportResult result)
    {
        using var stream = new MemoryStream();
        using (var writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true)))
        using (var csv = new CsvWriter(writer, CsvExports.Configuration()))
            csv.WriteRecords(result.Projects.Select(p => new
            {
                p.Line, p.Client, p.Project, p.Status, Link = p.Invitation?.Link, Language = p.Invitation?.Language, Invitation = p.Invitation?.Text,
            }));
        return stream.ToArray();
    }
}
