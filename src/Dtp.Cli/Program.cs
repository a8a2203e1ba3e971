using Dtp.Cli;

return await DtpCli.RunAsync(args).ConfigureAwait(false);
