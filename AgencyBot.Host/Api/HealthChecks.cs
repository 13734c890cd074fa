using AgencyBot.Core.Data;
using AgencyBot.Host.Telegram;
using Dapper;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AgencyBot.Host.Api;

public static class HealthRegistration
{
    public static IServiceCollection AddAgencyHealth(this IServiceCollection services)
    {
        // A database outage is reported as degraded, not unhealthy: restarting the host would not bring the database
        // back, and the host resumes by itself when it returns (updates wait at Telegram, queued posts in the outbox).
        services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database", failureStatus: HealthStatus.Degraded)
            .AddCheck<TelegramHealthCheck>("telegram")
            .AddCheck<OutboxHealthCheck>("outbox", failureStatus: HealthStatus.Degraded)
            .AddCheck<StaffChatHealthCheck>("staff-chat", failureStatus: HealthStatus.Degraded);
        return services;
    }
}

internal sealed class DatabaseHealthCheck(Database database) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            await using var connection = await database.OpenAsync(ct);
            await connection.ExecuteScalarAsync<long>("SELECT 1");
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, "The database cannot be reached", ex);
        }
    }
}

/// <summary>Degraded when something due has not gone out for five minutes: the sender is stuck or Telegram keeps failing.</summary>
internal sealed class OutboxHealthCheck(AgencyBot.Core.Outbox.OutboxStore outbox) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        var longest = await outbox.LongestDueAsync(ct);
        return longest > TimeSpan.FromMinutes(5)
            ? HealthCheckResult.Degraded($"A message due {longest.TotalMinutes:0} minutes ago has not been sent")
            : HealthCheckResult.Healthy();
    }
}

/// <summary>Degraded while the bot cannot post in the staff chat (removed, or without its rights): client messages wait.</summary>
internal sealed class StaffChatHealthCheck(Database database, AgencyBot.Core.StaffGroup.StaffChatStore staffChats) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        if (await staffChats.GetAsync(connection) is not { } staff) return HealthCheckResult.Degraded("No staff chat is set up (Agency:StaffChatId or /setup)");
        return await AgencyBot.Core.Conversations.Deliveries.OutageAsync(connection, staff.ChatId) is { } outage
            ? HealthCheckResult.Degraded($"The bot cannot post in the staff chat since {outage.Since:O}: {outage.Reason}")
            : HealthCheckResult.Healthy();
    }
}

/// <summary>Unhealthy at once when Telegram rejects the token (nothing can work until someone fixes it); degraded once
/// getUpdates has been failing for more than a minute.</summary>
internal sealed class TelegramHealthCheck(IntakeStatus intake, TimeProvider clock) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default) =>
        Task.FromResult(intake.TokenRejected
            ? HealthCheckResult.Unhealthy("Telegram rejected the bot token (401): check Telegram:BotToken")
            : intake.FailingSince is { } since && clock.GetUtcNow() - since > TimeSpan.FromMinutes(1)
                ? HealthCheckResult.Degraded($"getUpdates has been failing since {since:O}")
                : HealthCheckResult.Healthy());
}
