from carehub.cli import main

main()
