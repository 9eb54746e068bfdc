# README.md cannot drift: every ```sql block of it runs, in README order,
# in one psql session on a fresh database, and where the README shows what
# a block prints, psql must print exactly that.
#
# The conventions (README.md states them too, in a comment at its top):
#
#   ```sql          runs. Each block holds complete statements (the last
#                   one ends with ";"), and may use psql's backslash
#                   commands.
#   ```text output  what psql prints on standard output for the ```sql block
#                   before it (only prose between them): psql -X -q in its
#                   default aligned format, so query results without command
#                   tags; messages (NOTICE, WARNING) go to standard error and
#                   are not shown. Compared line by line after removing
#                   trailing spaces and the blank lines at both ends.
#   any other fence (```text, ```sh, ```yaml, or none) is shown, not run:
#                   function signatures and SQL that cannot run as written
#                   use ```text.
#
# The database ("readme") starts empty: the README creates the extension
# and every table it uses. The server runs with TimeZone UTC, DateStyle
# ISO, and pg_cron preloaded with cron.database_name = 'readme', so that a
# README block can CREATE EXTENSION pg_cron in the database it runs in.
#
# One check per ```sql block, in order: it ran (an error stops the run and
# names the README line of the failing statement) and printed its output
# block, if it has one. Fences are also checked: every block is closed, an
# output block follows a ```sql block.
use strict;
use warnings;

use File::Basename qw(dirname);
use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $readme = dirname(__FILE__) . '/../../README.md';
open(my $fh, '<', $readme) or die "cannot open $readme: $!";
my @lines = <$fh>;
close($fh);
chomp(@lines);

# The fenced blocks: language (the info string's first word), the rest of
# the info string, the line of the opening fence and the content lines
# (with the fence's indentation removed; README lines are 1-based).
my @blocks;
my $open;
for my $i (0 .. $#lines)
{
	my $line = $lines[$i];
	if (!$open)
	{
		next unless $line =~ /^(\s*)(`{3,}|~{3,})\s*(\S*)\s*(.*?)\s*$/;
		$open = {
			indent => length($1),
			fence => $2,
			lang => $3,
			info => $4,
			line => $i + 1,
			content => [] };
	}
	elsif ($line =~ /^\s*(`{3,}|~{3,})\s*$/
		&& substr($1, 0, 1) eq substr($open->{fence}, 0, 1)
		&& length($1) >= length($open->{fence}))
	{
		push @blocks, $open;
		undef $open;
	}
	else
	{
		(my $content = $line) =~ s/^ {0,$open->{indent}}//;
		push @{ $open->{content} }, $content;
	}
}
ok(!$open, 'every fenced block of README.md is closed')
  or diag("the block opened at README.md line $open->{line} is not closed");

sub is_sql { return $_[0]->{lang} eq 'sql'; }

sub is_output
{
	my ($b) = @_;
	return ($b->{lang} eq 'text' && $b->{info} =~ /\boutput\b/)
	  || $b->{lang} eq 'output';
}

# Output blocks belong to the ```sql block just before them.
my @sql;
for my $k (0 .. $#blocks)
{
	my $b = $blocks[$k];
	if (is_sql($b))
	{
		push @sql, $b;
	}
	elsif (is_output($b))
	{
		if ($k > 0 && is_sql($blocks[ $k - 1 ]) && !$blocks[ $k - 1 ]->{output})
		{
			$blocks[ $k - 1 ]->{output} = $b;
		}
		else
		{
			fail("output block at README.md line $b->{line}");
			diag('an output block must follow a ```sql block');
		}
	}
}
cmp_ok(scalar(@sql), '>', 0, 'README.md has ```sql blocks');

# A block ends with a complete statement: its last line that is not blank
# and not a comment ends with ";" or is a backslash command.
for my $b (@sql)
{
	my @code = grep { !/^\s*(--.*)?$/ } @{ $b->{content} };
	my $last = @code ? $code[-1] : '';
	if ($last !~ /;\s*(--.*)?$/ && $last !~ /^\s*\\/)
	{
		fail("```sql block at README.md line $b->{line}");
		diag('its last statement does not end with ";": a fragment that '
			  . 'does not run belongs in a ```text block');
	}
}

# One psql script: each block between two markers on standard output;
# script line -> README line, to name the failing statement.
my @script = ('\\set ON_ERROR_STOP on');
my @origin = (0);
for my $n (0 .. $#sql)
{
	my $b = $sql[$n];
	push @script, "\\echo '\@\@begin $n\@\@'";
	push @origin, $b->{line};
	for my $j (0 .. $#{ $b->{content} })
	{
		push @script, $b->{content}[$j];
		push @origin, $b->{line} + 1 + $j;
	}
	push @script, "\\echo '\@\@end $n\@\@'";
	push @origin, $b->{line} + @{ $b->{content} } + 1;
}

my $node = PostgreSQL::Test::Cluster->new('readme');
$node->init;
$node->append_conf(
	'postgresql.conf', q{
TimeZone = 'UTC'
DateStyle = 'ISO, YMD'
shared_preload_libraries = 'pg_cron'
cron.database_name = 'readme'
cron.use_background_workers = on
max_worker_processes = 20
offline_store.progress_messages = off
});
$node->start;
$node->safe_psql('postgres', 'CREATE DATABASE readme');

my $file = $node->basedir . '/readme.sql';
open(my $out_fh, '>', $file) or die "cannot write $file: $!";
print $out_fh join("\n", @script), "\n";
close($out_fh);

my ($stdout, $stderr) = ('', '');
IPC::Run::run(
	[
		$node->installed_command('psql'), '-X', '-q',
		'-d', $node->connstr('readme'), '-f', $file
	],
	'<', \undef, '>', \$stdout, '2>', \$stderr,
	IPC::Run::timeout($PostgreSQL::Test::Utils::timeout_default));

# What each block printed; a block that began and did not end failed.
my %printed;
while ($stdout =~ /^\@\@begin (\d+)\@\@\n(.*?)^\@\@end \1\@\@$/gms)
{
	$printed{$1} = $2;
}
my ($began) = reverse($stdout =~ /^\@\@begin (\d+)\@\@$/gm);

sub normalized
{
	my @l = map { s/\s+$//r } split(/\n/, $_[0], -1);
	shift @l while @l && $l[0] eq '';
	pop @l while @l && $l[-1] eq '';
	return join("\n", @l);
}

for my $n (0 .. $#sql)
{
	my $b = $sql[$n];
	my $name = "```sql block at README.md line $b->{line}";
	if (exists $printed{$n})
	{
		pass("$name runs");
		is(normalized($printed{$n}),
			normalized(join("\n", @{ $b->{output}{content} })),
			"$name prints the output at line $b->{output}{line}")
		  if $b->{output};
	}
	elsif (defined $began && $began == $n)
	{
		fail("$name runs");
		# psql names the line of its script where the failing statement
		# ends (ON_ERROR_STOP: the first error is the last message)
		if ($stderr =~ /^psql:\Q$file\E:(\d+): (ERROR:.*)\z/ms)
		{
			diag("the statement ending at README.md line $origin[$1 - 1]: $2");
		}
		else
		{
			diag("psql: $stderr");
		}
	}
	else
	{
		fail("$name runs");
		diag('not run: an earlier block failed');
	}
}

$node->stop;
done_testing();
