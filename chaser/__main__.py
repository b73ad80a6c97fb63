from chaser.cli import run

run()
